/**
 * Who may log in: credentials plus the lock-out after N consecutive wrong passwords.
 * Failures count per username across connections; time comes from the injected clock.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { TimeSource } from '../util/clock.js';
import type { Credentials } from './credentials.js';
import { verifyPasswordAsync } from './password-hash.js';
import { ServerError } from './server-error.js';

// Registration imports the hash from here; it lives with the other password code.
export { hashPassword } from './password-hash.js';

/** SPEC.md's login texts, verbatim. */
export const INVALID_USERNAME = 'Invalid Username. Please try again';
export const INVALID_PASSWORD = 'Invalid Password. Please try again';
export const ACCOUNT_BLOCKED =
  'Invalid Password. Your account has been blocked. Please try again later';
export const ACCOUNT_LOCKED =
  'Your account is blocked due to multiple login failures. Please try again later';

/** N consecutive failures block the account for blockMs, timed by clock. */
export interface LockoutOptions {
  maxAttempts: number;
  blockMs: number;
  clock: TimeSource;
}

/** Consecutive failures and blocks, per username. The one owner of this state. */
export class Lockout {
  private readonly failures = new Map<string, number>();
  private readonly blockedUntil = new Map<string, number>();

  /**
   * Told every failure and success recorded here (a cluster tells the other nodes, so the
   * count is the account's, not one node's).
   */
  onAttempt: ((username: string, failed: boolean) => void) | null = null;

  constructor(private readonly options: LockoutOptions) {}

  /** A failure or success recorded on another node of the cluster. */
  applyRemote(username: string, failed: boolean): void {
    if (failed) this.count(username);
    else this.failures.delete(username);
  }

  /** Milliseconds the user stays blocked, or 0 when not blocked. */
  remainingMs(username: string): number {
    const until = this.blockedUntil.get(username);
    if (until === undefined) return 0;
    const left = until - this.options.clock.now();
    if (left > 0) return left;
    this.blockedUntil.delete(username);
    return 0;
  }

  /** Records a wrong password; true when this failure blocks the account. */
  recordFailure(username: string): boolean {
    this.onAttempt?.(username, true);
    return this.count(username);
  }

  private count(username: string): boolean {
    const count = (this.failures.get(username) ?? 0) + 1;
    if (count >= this.options.maxAttempts) {
      // After the block ends the user gets a fresh set of attempts.
      this.failures.delete(username);
      this.blockedUntil.set(username, this.options.clock.now() + this.options.blockMs);
      return true;
    }
    this.failures.set(username, count);
    return false;
  }

  recordSuccess(username: string): void {
    if (this.failures.delete(username)) this.onAttempt?.(username, false);
  }

  failureCount(username: string): number {
    return this.failures.get(username) ?? 0;
  }
}

/** Checks a login attempt; throws a ServerError with SPEC.md's text when refused. */
export class Authenticator {
  /** username → password, or a `scrypt$...` hash for accounts created by registration. */
  private readonly users: Map<string, string>;

  constructor(
    credentials: Credentials,
    private readonly lockout: Lockout,
    /** Resolves with the credentials file's new contents when it changed (reloading). */
    private readonly reload?: () => Promise<Credentials | null>,
  ) {
    this.users = new Map(credentials.users);
  }

  /** Takes in a changed credentials.txt: accounts and passwords as the file now says. */
  private async refresh(): Promise<void> {
    const fresh = await this.reload?.();
    if (!fresh) return;
    this.users.clear();
    for (const [name, stored] of fresh.users) this.users.set(name, stored);
  }

  exists(username: string): boolean {
    return this.users.has(username);
  }

  /** Adds a registered account (already written to credentials.txt). */
  add(username: string, stored: string): void {
    this.users.set(username, stored);
  }

  /** Takes back an account whose credentials.txt line could not be written. */
  remove(username: string): void {
    this.users.delete(username);
  }

  /** Takes in a changed credentials.txt, then gives the user's stored credential, if any. */
  async storedCredential(username: string): Promise<string | undefined> {
    await this.refresh();
    return this.users.get(username);
  }

  /** Rejects with SPEC.md's lock-out text while the account is blocked (resume checks it too). */
  checkNotLocked(username: string): void {
    const left = this.lockout.remainingMs(username);
    if (left > 0) {
      throw new ServerError(ErrorCode.AccountLocked, ACCOUNT_LOCKED, { retryAfterMs: left });
    }
  }

  /**
   * Resolves with the stored credential (for the resume ticket's MAC) when the password is
   * right; rejects with SPEC.md's text otherwise.
   */
  async verify(username: string, password: string): Promise<string> {
    await this.refresh();
    const expected = this.users.get(username);
    // Unknown names count toward no lock-out (SPEC.md decision).
    if (expected === undefined) throw new ServerError(ErrorCode.InvalidUsername, INVALID_USERNAME);
    this.checkNotLocked(username);
    if (!(await verifyPasswordAsync(password, expected))) {
      if (this.lockout.recordFailure(username)) {
        throw new ServerError(ErrorCode.AccountBlocked, ACCOUNT_BLOCKED, {
          retryAfterMs: this.lockout.remainingMs(username),
        });
      }
      throw new ServerError(ErrorCode.InvalidPassword, INVALID_PASSWORD);
    }
    return expected;
  }

  /** The lock-out counters (a cluster shares them). */
  get attempts(): Lockout {
    return this.lockout;
  }

  /** Called once the session is actually admitted. */
  succeeded(username: string): void {
    this.lockout.recordSuccess(username);
  }
}
