/** Per-address connection slots and failed-login budget, by a manual clock. */
import { describe, expect, it } from 'vitest';
import { AddressLimits } from '../../src/server/address-limits.js';
import type { ServerError } from '../../src/server/server-error.js';
import { ManualClock } from '../../src/util/clock.js';

describe('AddressLimits', () => {
  it('gives each address its own connection slots and takes them back', () => {
    const limits = new AddressLimits({ maxConnections: 2, clock: new ManualClock() });
    expect(limits.acquire('a')).toBe(true);
    expect(limits.acquire('a')).toBe(true);
    expect(limits.acquire('a')).toBe(false);
    expect(limits.acquire('b')).toBe(true);
    limits.release('a');
    expect(limits.acquire('a')).toBe(true);
    expect(limits.refusedConnections).toBe(1);
  });

  it('refuses logins once the window holds the budget, and frees them as failures age out', () => {
    const clock = new ManualClock(0);
    const limits = new AddressLimits({ maxFailedLogins: 3, windowMs: 60_000, clock });
    for (const t of [0, 10_000, 20_000]) {
      clock.set(t);
      limits.checkLogin('a');
      limits.recordFailedLogin('a');
    }
    clock.set(30_000);
    let refused: ServerError | null = null;
    try {
      limits.checkLogin('a');
    } catch (err) {
      refused = err as ServerError;
    }
    expect(refused?.code).toBe('RATE_LIMITED');
    expect(refused?.extra).toEqual({ retryAfterMs: 30_000 });
    limits.checkLogin('b');
    // The oldest failure leaves the window at 60 s: one attempt is free again.
    clock.set(60_001);
    limits.checkLogin('a');
  });

  it('forgets the longest-quiet address beyond 10 000, so memory stays bounded', () => {
    const clock = new ManualClock(0);
    const limits = new AddressLimits({ maxFailedLogins: 1, clock });
    limits.recordFailedLogin('first');
    for (let i = 0; i < 10_000; i++) limits.recordFailedLogin(`10.0.${i >> 8}.${i & 255}`);
    // 'first' was evicted: it may try again at once.
    limits.checkLogin('first');
    expect(() => limits.checkLogin('10.0.0.5')).toThrow();
  });
});
