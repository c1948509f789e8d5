import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_CONFIG, RateController } from '../../src/transfer/congestion.js';
import { Pacer } from '../../src/transfer/pacer.js';
import { RangeSet } from '../../src/transfer/range-set.js';
import { ManualClock } from '../../src/util/clock.js';

/** Simulates rounds of 10 ms on a path of `capacity` bytes/s with random loss and a queue. */
function simulate(opts: { capacity: number; loss: number; rounds: number; queueMs?: number }) {
  const clock = new ManualClock(0);
  const rc = new RateController(clock.now());
  const rates: number[] = [];
  for (let i = 0; i < opts.rounds; i++) {
    const sent = (rc.rate * 10) / 1000;
    const through = Math.min(sent, (opts.capacity * 10) / 1000);
    // Above capacity, a queue builds and the RTT rises.
    const rtt = 1 + (sent > through ? (opts.queueMs ?? 20) : 0);
    rc.onSent(sent);
    rc.onLoss(through * opts.loss + (sent - through) * 0.1);
    clock.advance(10);
    rc.onAck(clock.now(), through * (1 - opts.loss), rtt, rtt);
    rates.push(rc.rate);
  }
  return { rc, rates };
}

describe('rate controller', () => {
  it('grows quickly in start-up', () => {
    const { rates } = simulate({ capacity: 1e12, loss: 0, rounds: 8 });
    expect(rates[7]).toBeGreaterThan(DEFAULT_RATE_CONFIG.initialRate * 100);
  });

  it('does not collapse under 20 % random loss', () => {
    const { rates } = simulate({ capacity: 1e12, loss: 0.2, rounds: 10 });
    expect(rates.every((r, i) => i === 0 || r >= rates[i - 1]!)).toBe(true);
  });

  it('backs off to about the bottleneck when a queue builds, then hovers there', () => {
    const capacity = 50e6;
    const { rc, rates } = simulate({ capacity, loss: 0, rounds: 400 });
    expect(rc.stats.queueBackoffs).toBeGreaterThan(0);
    const tail = rates.slice(-100);
    const mean = tail.reduce((a, b) => a + b, 0) / tail.length;
    expect(mean).toBeGreaterThan(capacity * 0.6);
    expect(mean).toBeLessThan(capacity * 1.5);
  });

  it('backs off on sustained heavy loss', () => {
    const { rc } = simulate({ capacity: 1e12, loss: 0.6, rounds: 10 });
    expect(rc.stats.lossBackoffs).toBeGreaterThan(0);
  });

  it('halves only on the second time-out in a row', () => {
    const rc = new RateController(0);
    const before = rc.rate;
    rc.onTimeout();
    expect(rc.rate).toBe(before);
    rc.onTimeout();
    expect(rc.rate).toBe(before / 2);
  });
});

describe('pacer', () => {
  it('releases bytes at the rate with a bounded burst', () => {
    const p = new Pacer(0, 4);
    p.refill(0, 1e6, 1000);
    expect(p.ready).toBe(false);
    p.refill(1, 1e6, 1000);
    expect(p.ready).toBe(true);
    p.consume(3000);
    expect(p.waitMs(1e6)).toBeCloseTo(2, 5);
    p.refill(1000, 1e6, 1000);
    p.consume(4000);
    expect(p.ready).toBe(false);
  });
});

describe('range set', () => {
  it('merges, covers and reports the prefix', () => {
    const r = new RangeSet();
    r.add(10, 20);
    r.add(30, 40);
    r.add(0, 5);
    expect(r.toJSON()).toEqual([
      [0, 5],
      [10, 20],
      [30, 40],
    ]);
    r.add(5, 10);
    r.add(15, 35);
    expect(r.toJSON()).toEqual([[0, 40]]);
    expect(r.prefix).toBe(40);
    expect(r.covers(3, 39)).toBe(true);
    expect(r.covers(39, 41)).toBe(false);
    expect(RangeSet.from([[50, 60]]).prefix).toBe(0);
    expect(r.bytes).toBe(40);
  });
});
