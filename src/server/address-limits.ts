/**
 * Per-address limits that the per-user lock-out cannot give: how many connections one
 * address may hold, and how many failed logins it may make in a minute (a brute force over
 * many usernames never trips any one account's lock-out). Time comes from the injected clock.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { TimeSource } from '../util/clock.js';
import { ServerError } from './server-error.js';

export interface AddressLimitOptions {
  /** Open connections one address may hold; default 64. */
  maxConnections?: number;
  /** Failed logins one address may make per window; default 20. */
  maxFailedLogins?: number;
  /** The failed-login window; default 60 s. */
  windowMs?: number;
  clock: TimeSource;
}

/** Addresses remembered for failed logins before the oldest are forgotten (memory bound). */
const MAX_TRACKED = 10_000;

export function tooManyLoginsText(seconds: number): string {
  return `Too many failed logins from your address. Please try again in ${seconds} s.`;
}

/** The one owner of per-address counts. */
export class AddressLimits {
  private readonly open = new Map<string, number>();
  private readonly failures = new Map<string, number[]>();
  readonly maxConnections: number;
  private readonly maxFailed: number;
  private readonly windowMs: number;
  /** Connections refused for the per-address cap, for diagnostics and tests. */
  refusedConnections = 0;

  constructor(private readonly options: AddressLimitOptions) {
    this.maxConnections = options.maxConnections ?? 64;
    this.maxFailed = options.maxFailedLogins ?? 20;
    this.windowMs = options.windowMs ?? 60_000;
  }

  /** Takes a connection slot; false when the address already holds its cap. */
  acquire(address: string): boolean {
    const count = this.open.get(address) ?? 0;
    if (count >= this.maxConnections) {
      this.refusedConnections += 1;
      return false;
    }
    this.open.set(address, count + 1);
    return true;
  }

  release(address: string): void {
    const count = (this.open.get(address) ?? 1) - 1;
    if (count <= 0) this.open.delete(address);
    else this.open.set(address, count);
  }

  /** Throws RATE_LIMITED (with retryAfterMs) while the address is over its failed-login budget. */
  checkLogin(address: string): void {
    const recent = this.recent(address);
    if (recent.length < this.maxFailed) return;
    const retryAfterMs = (recent[0] as number) + this.windowMs - this.options.clock.now();
    throw new ServerError(
      ErrorCode.RateLimited,
      tooManyLoginsText(Math.ceil(retryAfterMs / 1000)),
      {
        retryAfterMs,
      },
    );
  }

  recordFailedLogin(address: string): void {
    const recent = this.recent(address);
    recent.push(this.options.clock.now());
    // Re-inserted last, so eviction below drops the addresses quiet the longest.
    this.failures.delete(address);
    this.failures.set(address, recent.slice(-this.maxFailed));
    if (this.failures.size > MAX_TRACKED) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
  }

  private recent(address: string): number[] {
    const since = this.options.clock.now() - this.windowMs;
    const kept = (this.failures.get(address) ?? []).filter((t) => t > since);
    if (kept.length === 0) this.failures.delete(address);
    return kept;
  }
}
