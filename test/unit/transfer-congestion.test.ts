import { describe, expect, it } from 'vitest';
import { RangeSet } from '../../src/transfer/files/range-set.js';
import { DEFAULT_RATE_CONFIG, RateController } from '../../src/transfer/reliability/congestion.js';
import { Pacer } from '../../src/transfer/reliability/pacer.js';
import { ManualClock } from '../../src/util/clock.js';

/** Simulates rounds of 15 ms on a path of `capacity` bytes/s (or per round) with random loss. */
function simulate(opts: {
  capacity: number | ((round: number) => number);
  loss: number;
  rounds: number;
}) {
  const clock = new ManualClock(0);
  const rc = new RateController(clock.now());
  const rates: number[] = [];
  for (let i = 0; i < opts.rounds; i++) {
    const capacity = typeof opts.capacity === 'number' ? opts.capacity : opts.capacity(i);
    const sent = (rc.rate * 15) / 1000;
    const through = Math.min(sent, (capacity * 15) / 1000);
    const acked = through * (1 - opts.loss);
    rc.onSent(sent);
    rc.onLoss(sent - acked);
    clock.advance(15);
    rc.onAck(clock.now(), acked, (acked * 1000) / 15, 1, 1);
    rates.push(rc.rate);
  }
  return { rc, rates };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('rate controller', () => {
  it('grows quickly in start-up', () => {
    const { rates, rc } = simulate({ capacity: 1e12, loss: 0, rounds: 8 });
    expect(rc.mode).toBe('startup');
    expect(rates[7]).toBeGreaterThan(DEFAULT_RATE_CONFIG.initialRate * 100);
  });

  it('settles at the bottleneck rate and leaves start-up', () => {
    const capacity = 50e6;
    const { rc, rates } = simulate({ capacity, loss: 0, rounds: 200 });
    expect(rc.mode).toBe('cruise');
    expect(rc.bandwidth).toBeCloseTo(capacity, -3);
    expect(mean(rates.slice(-80))).toBeGreaterThan(capacity * 0.9);
    expect(mean(rates.slice(-80))).toBeLessThan(capacity * 1.2);
  });

  it('finds a capacity that grew (a receiver whose code got warm) within a few cycles', () => {
    // 50 MB/s for 100 rounds, then 400 MB/s: one 1.25x probe per 8-round cycle would need
    // about 75 rounds to get there; a probe that is delivered in full restarts start-up.
    const { rc } = simulate({ capacity: (i) => (i < 100 ? 50e6 : 400e6), loss: 0, rounds: 124 });
    expect(rc.bandwidth).toBeGreaterThan(0.9 * 400e6);
    expect(rc.bandwidth).toBeLessThan(1.05 * 400e6);
  });

  it('does not collapse under 20 % random loss', () => {
    const capacity = 50e6;
    const { rates } = simulate({ capacity, loss: 0.2, rounds: 300 });
    // What gets through is 80 % of what is sent, yet the rate stays near the capacity.
    expect(mean(rates.slice(-80))).toBeGreaterThan(capacity * 0.75);
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
    expect(rc.stats.timeoutBackoffs).toBe(1);
  });

  it('allows at least 16 chunks in flight and scales the window with the rate', () => {
    const rc = new RateController(0);
    expect(rc.windowBytes(1, 1000)).toBeGreaterThanOrEqual(16_000);
    rc.rate = 100e6;
    expect(rc.windowBytes(1, 1000)).toBeGreaterThan(2e6);
  });

  it('never allows more in flight than the receiver socket buffer cap', () => {
    const rc = new RateController(0);
    rc.rate = 4e9;
    expect(rc.windowBytes(1, 61_440)).toBe(DEFAULT_RATE_CONFIG.maxInFlight);
    const small = new RateController(0, { ...DEFAULT_RATE_CONFIG, maxInFlight: 1e6 });
    small.rate = 4e9;
    expect(small.windowBytes(1, 1000)).toBe(1e6);
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
