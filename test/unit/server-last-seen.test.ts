/** Last-seen times: kept in memory at once, written to the store in one batch per interval. */
import { describe, expect, it } from 'vitest';
import { LastSeenWriter } from '../../src/server/last-seen.js';
import { ManualClock } from '../../src/util/clock.js';
import type { Logger } from '../../src/util/logger.js';
import { TimerGroup } from '../../src/util/timer-group.js';

function setup(flushMs = 1000, fail = false) {
  const written: Array<[string, number]> = [];
  const store = {
    setLastSeen: async (name: string, ts: number) => {
      if (fail) throw new Error('disk full');
      written.push([name, ts]);
    },
  };
  const errors: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (message, meta) => errors.push(`${message} ${JSON.stringify(meta)}`),
  };
  const clock = new ManualClock();
  const times = new Map<string, number>();
  const writer = new LastSeenWriter(times, store, new TimerGroup(clock), logger, flushMs);
  return { written, errors, clock, times, writer };
}

describe('LastSeenWriter', () => {
  it('updates memory at once and writes each user once per interval, with the newest time', async () => {
    const { written, clock, times, writer } = setup();
    writer.record('Yoda', 1);
    writer.record('obiwan', 2);
    writer.record('Yoda', 3);
    expect(times).toEqual(
      new Map([
        ['Yoda', 3],
        ['obiwan', 2],
      ]),
    );
    expect(written).toEqual([]);
    expect(clock.pending).toBe(1);
    expect(clock.advance(999)).toBe(0);
    expect(clock.advance(1)).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual([
      ['Yoda', 3],
      ['obiwan', 2],
    ]);
    expect(clock.pending).toBe(0);
  });

  it('writes what is pending on flush (server close) and leaves no timer', async () => {
    const { written, clock, writer } = setup();
    writer.record('Hans', 7);
    await writer.flush();
    expect(written).toEqual([['Hans', 7]]);
    expect(clock.pending).toBe(0);
    await writer.flush();
    expect(written).toHaveLength(1);
  });

  it('writes at once with an interval of 0', async () => {
    const { written, clock, writer } = setup(0);
    writer.record('vader', 9);
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual([['vader', 9]]);
    expect(clock.pending).toBe(0);
  });

  it('logs a failed write and does not reject', async () => {
    const { errors, writer } = setup(1000, true);
    writer.record('Yoda', 1);
    await expect(writer.flush()).resolves.toBeUndefined();
    expect(errors).toEqual(['last-seen write failed {"users":1,"error":"Error: disk full"}']);
  });
});
