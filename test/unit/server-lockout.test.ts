import { describe, expect, it } from 'vitest';
import { Authenticator, Lockout } from '../../src/server/auth.js';
import { parseCredentials } from '../../src/server/credentials.js';
import type { ServerError } from '../../src/server/server-error.js';
import { ManualClock } from '../../src/util/clock.js';

function setup(maxAttempts = 3) {
  const clock = new ManualClock(1_000_000);
  const lockout = new Lockout({ maxAttempts, blockMs: 10_000, clock });
  const auth = new Authenticator(parseCredentials('Yoda pw\nHans other\n'), lockout);
  const attempt = async (user: string, password: string): Promise<string> => {
    try {
      await auth.verify(user, password);
      auth.succeeded(user);
      return 'ok';
    } catch (err) {
      return (err as ServerError).code;
    }
  };
  return { clock, lockout, auth, attempt };
}

describe('lock-out', () => {
  it('blocks on the Nth consecutive failure for blockMs, then starts afresh', async () => {
    const { clock, attempt, lockout } = setup(3);
    expect(await attempt('Yoda', 'x')).toBe('INVALID_PASSWORD');
    expect(await attempt('Yoda', 'x')).toBe('INVALID_PASSWORD');
    expect(await attempt('Yoda', 'x')).toBe('ACCOUNT_BLOCKED');
    expect(lockout.remainingMs('Yoda')).toBe(10_000);
    expect(await attempt('Yoda', 'pw')).toBe('ACCOUNT_LOCKED');
    expect(await attempt('Yoda', 'x')).toBe('ACCOUNT_LOCKED');
    clock.advance(9_999);
    expect(await attempt('Yoda', 'pw')).toBe('ACCOUNT_LOCKED');
    clock.advance(1);
    expect(await attempt('Yoda', 'x')).toBe('INVALID_PASSWORD');
    expect(await attempt('Yoda', 'pw')).toBe('ok');
    expect(lockout.failureCount('Yoda')).toBe(0);
  });

  it('blocks at once when one attempt is allowed', async () => {
    const { attempt } = setup(1);
    expect(await attempt('Yoda', 'x')).toBe('ACCOUNT_BLOCKED');
  });

  it('counts per user; unknown users never count', async () => {
    const { attempt, lockout } = setup(2);
    expect(await attempt('Luke', 'x')).toBe('INVALID_USERNAME');
    expect(await attempt('Luke', 'x')).toBe('INVALID_USERNAME');
    expect(lockout.failureCount('Luke')).toBe(0);
    expect(await attempt('Yoda', 'x')).toBe('INVALID_PASSWORD');
    expect(await attempt('Hans', 'x')).toBe('INVALID_PASSWORD');
    expect(await attempt('Hans', 'other')).toBe('ok');
    expect(await attempt('Yoda', 'x')).toBe('ACCOUNT_BLOCKED');
    expect(await attempt('Hans', 'x')).toBe('INVALID_PASSWORD');
  });

  it('attaches retryAfterMs to the locked error', async () => {
    const { auth, clock } = setup(1);
    await expect(auth.verify('Yoda', 'x')).rejects.toThrow();
    clock.advance(4_000);
    try {
      await auth.verify('Yoda', 'pw');
      expect.unreachable();
    } catch (err) {
      expect((err as ServerError).extra).toEqual({ retryAfterMs: 6_000 });
      expect((err as ServerError).message).toBe(
        'Your account is blocked due to multiple login failures. Please try again later',
      );
    }
  });
});
