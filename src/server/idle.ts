/**
 * Idle time-out: a logged-in session with no request of the user's for `idleMs` is logged
 * out with a message. One timer for all sessions, not one per session: activity only moves a
 * timestamp in a map, and the sweep, when it fires, ends the sessions past their time and
 * re-arms for the earliest one left. Sweeps are at least `granularity` apart (idleMs / 60,
 * 1 s to 30 s), so 10,000 sessions that logged in at different moments cost a sweep every
 * few seconds, not a timer each; a session may stay that much longer than idleMs.
 */
import type { Clock, TimerHandle } from '../util/clock.js';
import type { TimerGroup } from '../util/timer-group.js';

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
  /** Each watched session's last activity, ms since the epoch. */
  private readonly last = new Map<IdleSession, number>();
  private timer: TimerHandle | null = null;
  private readonly granularity: number;

  constructor(
    private readonly idleMs: number,
    private readonly clock: Clock,
    private readonly timers: TimerGroup,
    /** Called just before a session is ended for idling (console line, diagnostics). */
    private readonly onIdle: (session: IdleSession) => void,
  ) {
    this.granularity = Math.min(idleMs, Math.max(1000, Math.min(30_000, idleMs / 60)));
  }

  /** Starts watching a session that has just logged in. */
  watch(session: IdleSession): void {
    if (this.idleMs <= 0) return;
    this.last.set(session, this.clock.now());
    if (this.timer === null) this.arm(this.idleMs);
  }

  /** The user did something. */
  touch(session: IdleSession): void {
    if (this.last.has(session)) this.last.set(session, this.clock.now());
  }

  forget(session: IdleSession): void {
    this.last.delete(session);
    if (this.last.size === 0 && this.timer !== null) {
      this.timers.clear(this.timer);
      this.timer = null;
    }
  }

  get size(): number {
    return this.last.size;
  }

  private arm(delay: number): void {
    this.timer = this.timers.setTimeout(() => this.sweep(), Math.max(delay, this.granularity));
  }

  private sweep(): void {
    this.timer = null;
    const now = this.clock.now();
    const expired: IdleSession[] = [];
    let earliest = Number.POSITIVE_INFINITY;
    for (const [session, last] of this.last) {
      if (now - last >= this.idleMs) expired.push(session);
      else earliest = Math.min(earliest, last);
    }
    for (const session of expired) {
      this.last.delete(session);
      this.onIdle(session);
      session.shutdown(idleText(this.idleMs), 'IDLE_TIMEOUT');
    }
    // Shutting a session down forgets it (and may have cleared nothing): arm for the rest.
    if (this.last.size > 0 && this.timer === null) this.arm(earliest + this.idleMs - now);
  }
}
