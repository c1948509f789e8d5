/** Relay byte-rate caps on a hand-moved clock: buckets, and the relay dropping over-rate traffic. */
import { describe, expect, it } from 'vitest';
import type { ClientSession } from '../../src/server/context.js';
import { RelayCaps, TokenBucket } from '../../src/server/relay/caps.js';
import { Relay } from '../../src/server/relay/relay.js';
import { newUdpStats } from '../../src/server/relay/stats.js';
import { transferTag } from '../../src/transfer/wire/crypto.js';
import { ManualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { TimerGroup } from '../../src/util/timer-group.js';
import { transferDatagram } from '../helpers/udp-peer.js';

describe('TokenBucket', () => {
  it('holds a quarter second of its rate (at least 64 KiB) and refills with the clock', () => {
    const clock = new ManualClock(0);
    const bucket = new TokenBucket(1_000_000, clock);
    expect(bucket.take(250_000)).toBe(true);
    expect(bucket.take(1)).toBe(false);
    clock.advance(100);
    expect(bucket.take(100_001)).toBe(false);
    expect(bucket.take(100_000)).toBe(true);
    clock.advance(10_000);
    expect(bucket.take(250_001)).toBe(false);
    const slow = new TokenBucket(1000, clock);
    expect(slow.take(65_536)).toBe(true);
  });
});

describe('RelayCaps', () => {
  it('caps each user and the total, and a refusal by the total costs the user nothing', () => {
    const clock = new ManualClock(0);
    const caps = new RelayCaps({ userBytesPerSec: 400_000, totalBytesPerSec: 600_000 }, clock);
    expect(caps.allow('Yoda', 100_000)).toBe(true);
    expect(caps.allow('Yoda', 1)).toBe(false);
    expect(caps.allow('obiwan', 50_000)).toBe(true);
    // Total holds 150 000: 100 000 for Hans fits it, 1 more byte does not.
    expect(caps.allow('Hans', 1)).toBe(false);
    clock.advance(50);
    // 30 000 back in the total, 20 000 back for obiwan: the total refuses, obiwan keeps his.
    expect(caps.allow('obiwan', 40_000)).toBe(false);
    expect(caps.allow('obiwan', 30_000)).toBe(true);
  });
});

describe('Relay caps', () => {
  const party = (id: number, username: string) =>
    ({ id, address: '127.0.0.1', user: { username } }) as unknown as ClientSession;

  it('drops and counts datagrams over the sending user cap until the clock refills it', () => {
    const clock = new ManualClock(0);
    const timers = new TimerGroup(clock);
    const stats = newUdpStats();
    const sent: Buffer[] = [];
    const relay = new Relay({
      clock,
      timers,
      logger: silentLogger,
      caps: new RelayCaps({ userBytesPerSec: 100_000, totalBytesPerSec: 1_000_000 }, clock),
      stats: stats.relay,
      out: { send: (d) => sent.push(d) },
    });
    const yoda = party(1, 'Yoda');
    const obiwan = party(2, 'obiwan');
    relay.open({ id: 't1', presenter: yoda, from: 'Yoda', audience: obiwan, to: 'obiwan' });
    const tag = transferTag('t1');
    const a = { address: '10.0.0.1', port: 1000 };
    const b = { address: '10.0.0.2', port: 2000 };
    expect(relay.allocate(yoda, tag, 0, a)).toBe(true);
    expect(relay.allocate(obiwan, tag, 1, b)).toBe(true);
    // 1024-byte datagrams into a 64 KiB bucket: 64 pass, the rest are capped.
    for (let seq = 0; seq < 100; seq++) relay.forward(transferDatagram(tag, 0, seq, 1004), a);
    expect(sent).toHaveLength(64);
    expect(stats.relay.capped).toBe(36);
    // The audience's own bucket is untouched by the presenter's traffic.
    relay.forward(transferDatagram(tag, 1, 0, 1004), b);
    expect(sent).toHaveLength(65);
    clock.advance(100);
    for (let seq = 100; seq < 120; seq++) relay.forward(transferDatagram(tag, 0, seq, 1004), a);
    // 10 000 bytes refilled: 9 more datagrams.
    expect(sent).toHaveLength(74);
    expect(relay.counts('t1')).toEqual({
      bytesToAudience: 73 * 1024,
      bytesToPresenter: 1024,
      datagrams: 74,
    });
    relay.closeAll('test');
    expect(timers.size).toBe(0);
  });
});
