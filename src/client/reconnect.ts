/**
 * Keeps a signed-in client connected: after an unexpected drop it tries again with exponential
 * back-off and jitter, signing in with the credentials the client holds in memory. Time and
 * randomness are injected so tests drive every attempt without sleeping.
 */
import { EventEmitter } from 'node:events';
import { ErrorCode, ProtocolError } from '../protocol/errors.js';
import { type Clock, systemClock, type TimerHandle } from '../util/clock.js';
import { TimerGroup } from '../util/timer-group.js';
import { ConnectionError, ReplyError } from './connection.js';

/** How long to wait before each attempt. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** Share (0..1) of each delay that is random, so many clients do not return in step. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 15_000, jitter: 0.5 };

/** Delay before attempt `attempt` (0-based): base·2^attempt capped at max, less some jitter. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling * (1 - policy.jitter + policy.jitter * random()));
}

/** What the faces show of the link to the server. */
export type LinkState =
  | { state: 'online' }
  | { state: 'waiting'; attempt: number; delayMs: number; reason: string }
  | { state: 'connecting'; attempt: number }
  | { state: 'gave-up'; reason: string };

/** The narrow part of ChatClient the reconnector needs; a test fakes it in a few lines. */
export interface ReconnectTarget {
  on(event: 'disconnected', listener: (e: { expected: boolean }) => void): unknown;
  off(event: 'disconnected', listener: (e: { expected: boolean }) => void): unknown;
  reconnect(): Promise<void>;
  readonly closing: boolean;
}

/** Refusals that another try with the same credentials cannot fix. */
const FATAL = new Set<string>([ErrorCode.InvalidPassword, ErrorCode.InvalidUsername]);

export class Reconnector extends EventEmitter<{ state: [LinkState] }> {
  private attempt = 0;
  private timer: TimerHandle | null = null;
  private readonly timers: TimerGroup;
  private busy = false;
  private stopped = false;
  private readonly onDrop = ({ expected }: { expected: boolean }) => {
    if (expected || this.target.closing) return;
    this.schedule('Connection to the server was lost');
  };

  constructor(
    private readonly target: ReconnectTarget,
    private readonly options: {
      policy?: BackoffPolicy;
      random?: () => number;
      /** Timers of the back-off; a ManualClock in tests. */
      clock?: Clock;
    } = {},
  ) {
    super();
    this.timers = new TimerGroup(options.clock ?? systemClock);
    target.on('disconnected', this.onDrop);
  }

  /** Skips the wait, or tries again after a refusal (a user's /reconnect). */
  retryNow(): void {
    if (this.busy || this.stopped || this.target.closing) return;
    this.timers.clear(this.timer);
    this.timer = null;
    void this.tryOnce();
  }

  /** Stops listening and clears the pending timer. */
  stop(): void {
    this.stopped = true;
    this.target.off('disconnected', this.onDrop);
    this.timers.clearAll();
    this.timer = null;
  }

  /** True while a timer is pending (tests assert none is left). */
  get pending(): boolean {
    return this.timers.size > 0;
  }

  private schedule(reason: string, minDelayMs = 0): void {
    if (this.stopped || this.timer !== null || this.busy) return;
    const policy = this.options.policy ?? DEFAULT_BACKOFF;
    const delayMs = Math.max(
      minDelayMs,
      backoffDelay(this.attempt, policy, this.options.random ?? Math.random),
    );
    this.emit('state', { state: 'waiting', attempt: this.attempt + 1, delayMs, reason });
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      void this.tryOnce();
    }, delayMs);
  }

  private async tryOnce(): Promise<void> {
    if (this.stopped || this.target.closing) return;
    this.busy = true;
    this.attempt++;
    this.emit('state', { state: 'connecting', attempt: this.attempt });
    try {
      await this.target.reconnect();
      this.busy = false;
      this.attempt = 0;
      this.emit('state', { state: 'online' });
    } catch (err) {
      this.busy = false;
      if (this.stopped || this.target.closing) return;
      // A changed server certificate will not change back by trying again; say why and stop.
      const pinRefused = err instanceof ConnectionError && err.code === 'ESERVERCHANGED';
      if (pinRefused || (err instanceof ProtocolError && FATAL.has(err.code))) {
        this.emit('state', { state: 'gave-up', reason: err.message });
        return;
      }
      const wait = err instanceof ReplyError ? (err.retryAfterMs ?? 0) : 0;
      this.schedule((err as Error).message, wait);
    }
  }
}
