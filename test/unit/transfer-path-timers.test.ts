/** Path finding's time-outs on a manual clock: request retries, the punch deadline, keep-alives. */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/protocol/control.js';
import { PathType } from '../../src/transfer/path/packet.js';
import {
  PathPort,
  REQUEST_SCHEDULE_MS,
  REQUEST_TIMEOUT_MS,
} from '../../src/transfer/path/path-port.js';
import { Punch } from '../../src/transfer/path/punch.js';
import type { PathChannel } from '../../src/transfer/types.js';
import { ManualClock } from '../../src/util/clock.js';

/** A path channel into the void that records when each packet left. */
function silentChannel(clock: ManualClock): PathChannel & { sentAt: number[] } {
  const sentAt: number[] = [];
  return {
    ipv6: false,
    clock,
    sentAt,
    send: () => sentAt.push(clock.now()),
    onPacket: () => {},
  };
}

const server: Endpoint = { address: '192.0.2.1', port: 4000 };

describe('path timers', () => {
  it('retries a request on its schedule and gives up at the time-out, leaving nothing', async () => {
    const clock = new ManualClock(0);
    const channel = silentChannel(clock);
    const port = new PathPort(channel);
    const keyId = crypto.randomBytes(8);
    const answer = port.request(
      (txn) => ({ type: PathType.Bind, keyId, txn }),
      crypto.randomBytes(32),
      PathType.BindOk,
      server,
    );
    clock.advance(REQUEST_TIMEOUT_MS - 1);
    expect(channel.sentAt).toEqual(REQUEST_SCHEDULE_MS);
    expect(port.size).toBe(1);
    clock.advance(1);
    expect(await answer).toBeNull();
    expect(port.size).toBe(0);
    expect(port.pendingTimers).toBe(0);
  });

  it('probes fast then slowly until the deadline; close leaves no timer', async () => {
    const clock = new ManualClock(0);
    const channel = silentChannel(clock);
    const port = new PathPort(channel);
    const punch = new Punch(port, {
      role: 0,
      tag: crypto.randomBytes(8),
      key: crypto.randomBytes(32),
      remote: [{ kind: 'host', address: '192.0.2.7', port: 5000 }],
      deadlineMs: 3000,
    });
    clock.advance(1000);
    // 20 rounds 50 ms apart, the first at once; then one every 250 ms.
    expect(channel.sentAt).toHaveLength(20);
    expect(channel.sentAt[19]).toBe(950);
    clock.advance(250);
    expect(channel.sentAt.at(-1)).toBe(1200);
    clock.advance(1749);
    expect(punch.pendingTimers).toBeGreaterThan(0);
    clock.advance(1);
    expect(await punch.result).toBeNull();
    expect(punch.pendingTimers).toBe(0);
    punch.close();
    expect(port.size).toBe(0);
    expect(clock.pending).toBe(0);
  });
});
