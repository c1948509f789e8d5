/**
 * Idle time-out: a logged-in session with no request of the user's for `idleMs` is logged
 * out with a message. One timer per session; activity only moves a timestamp, and the timer,
 * when it fires early, re-arms for the time that is left (no timer churn per request).
 */
import type { Clock } from '../util/clock.js';
import type { TimerGroup, TimerHandle } from './timers.js';

/** What the watch needs of a session: to be told to go. */
export interface IdleSession {
  shutdown(reason: string, code?: string): void;
}

/** The text a timed-out user reads. */
export function idleText(idleMs: number): string {
  const minutes = Math.round(idleMs / 60_000);
  const span = minutes >= 1 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${idleMs} ms`;
  return `You were logged out after ${span} without activity.`;
}

export class IdleWatch {
  private readonly watched = new Map<IdleSession, { last: number; timer: TimerHandle }>();

  constructor(
    private readonly idleMs: number,
    private readonly clock: Clock,
    private readonly timers: TimerGroup,
    /** Called just before a session is ended for idling (console line, diagnostics). */
    private readonly onIdle: (session: IdleSession) => void,
  ) {}

  /** Starts watching a session that has just logged in. */
  watch(session: IdleSession): void {
    if (this.idleMs <= 0) return;
    this.forget(session);
    this.arm(session, this.clock.now(), this.idleMs);
  }

  /** The user did something. */
  touch(session: IdleSession): void {
    const entry = this.watched.get(session);
    if (entry) entry.last = this.clock.now();
  }

  forget(session: IdleSession): void {
    const entry = this.watched.get(session);
    if (!entry) return;
    this.timers.clear(entry.timer);
    this.watched.delete(session);
  }

  get size(): number {
    return this.watched.size;
  }

  private arm(session: IdleSession, last: number, delay: number): void {
    const timer = this.timers.set(() => this.check(session), delay);
    this.watched.set(session, { last, timer });
  }

  private check(session: IdleSession): void {
    const entry = this.watched.get(session);
    if (!entry) return;
    const idle = this.clock.now() - entry.last;
    if (idle < this.idleMs) {
      this.arm(session, entry.last, this.idleMs - idle);
      return;
    }
    this.watched.delete(session);
    this.onIdle(session);
    session.shutdown(idleText(this.idleMs), 'IDLE_TIMEOUT');
  }
}
