/** The one clock: a ManualClock fires what falls due as it is advanced; a TimerGroup owns its timers. */
import { describe, expect, it } from 'vitest';
import { ManualClock, monotonicClock, systemClock } from '../../src/util/clock.js';
import { TimerGroup } from '../../src/util/timer-group.js';

describe('ManualClock', () => {
  it('runs timers in due order, each seeing its own due time', () => {
    const clock = new ManualClock(1000);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
    clock.setImmediate(() => seen.push(`now@${clock.now()}`));
    expect(clock.advance(9)).toBe(1);
    expect(clock.advance(11)).toBe(2);
    expect(seen).toEqual(['now@1000', 'a@1010', 'b@1020']);
    expect(clock.now()).toBe(1020);
    expect(clock.pending).toBe(0);
  });

  it('repeats intervals, runs timers set while advancing, and forgets cleared ones', () => {
    const clock = new ManualClock();
    let ticks = 0;
    let chained = 0;
    const tick = clock.setInterval(() => ticks++, 100);
    clock.setTimeout(() => clock.setTimeout(() => chained++, 50), 50);
    const never = clock.setTimeout(() => {
      throw new Error('cleared');
    }, 10);
    clock.clear(never);
    clock.clear(null);
    clock.advance(350);
    expect(ticks).toBe(3);
    expect(chained).toBe(1);
    clock.clear(tick);
    expect(clock.pending).toBe(0);
    expect(clock.advance(1000)).toBe(0);
  });

  it('set() jumps forward running what falls due, back without running anything', () => {
    const clock = new ManualClock(100);
    let fired = 0;
    clock.setTimeout(() => fired++, 50);
    clock.set(10);
    expect(fired).toBe(0);
    clock.set(200);
    expect(fired).toBe(1);
  });
});

describe('TimerGroup', () => {
  it('forgets fired timers and clears the rest on clearAll', () => {
    const clock = new ManualClock();
    const group = new TimerGroup(clock);
    let fired = 0;
    group.setTimeout(() => fired++, 10);
    const b = group.setTimeout(() => fired++, 20);
    group.setTimeout(() => fired++, 30);
    group.setInterval(() => fired++, 40);
    group.setImmediate(() => fired++);
    clock.advance(10);
    expect(fired).toBe(2);
    expect(group.size).toBe(3);
    group.clear(b);
    group.clear(b);
    expect(clock.pending).toBe(2);
    group.clearAll();
    expect(clock.pending).toBe(0);
    expect(group.size).toBe(0);
    expect(group.now()).toBe(10);
  });

  it('clears real timeouts, intervals and immediates, each with its own clear', async () => {
    for (const clock of [systemClock, monotonicClock]) {
      const group = new TimerGroup(clock);
      let fired = 0;
      group.setTimeout(() => fired++, 0);
      group.setInterval(() => fired++, 1);
      group.setImmediate(() => fired++);
      group.setImmediate(() => fired++);
      group.clearAll();
      await new Promise((r) => setImmediate(r));
      expect(fired).toBe(0);
      expect(group.size).toBe(0);
    }
    let ran = false;
    const handle = systemClock.setImmediate(() => {
      ran = true;
    });
    await new Promise((r) => setImmediate(r));
    systemClock.clear(handle);
    expect(ran).toBe(true);
  });
});
