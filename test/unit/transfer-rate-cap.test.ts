import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RATE_CAPS,
  endpointKey,
  RateCaps,
  rateCapOptions,
  TokenBucket,
} from '../../src/transfer/net/rate-cap.js';
import type { DatagramSocket, Peer } from '../../src/transfer/net/udp-socket.js';
import { ManualClock } from '../../src/util/clock.js';

const peer: Peer = { address: '10.0.0.2', port: 7000 };
const spoofer: Peer = { address: '10.0.0.2', port: 7001 };
const stranger: Peer = { address: '10.0.0.9', port: 5555 };

function caps(clock: ManualClock, overrides = {}) {
  return new RateCaps(
    {
      peerDatagrams: { perSec: 100, burst: 10 },
      replies: { perSec: 10, burst: 3 },
      replyByteAllowance: 100,
      junkPerSource: { perSec: 10, burst: 5 },
      junkGlobal: { perSec: 1000, burst: 1000 },
      ...overrides,
    },
    clock,
    (from) => endpointKey(from.address, from.port) === endpointKey(peer.address, peer.port),
  );
}

describe('TokenBucket', () => {
  it('starts full, empties, and refills at its rate up to the burst', () => {
    const clock = new ManualClock(1000);
    const bucket = new TokenBucket({ perSec: 10, burst: 3 }, clock.now());
    expect([1, 2, 3, 4].map(() => bucket.take(clock.now()))).toEqual([true, true, true, false]);
    clock.advance(99);
    expect(bucket.take(clock.now())).toBe(false);
    clock.advance(1);
    expect(bucket.take(clock.now())).toBe(true);
    clock.advance(60_000);
    expect(bucket.available(clock.now())).toBe(3);
  });

  it('takes nothing when the cost is more than it holds', () => {
    const bucket = new TokenBucket({ perSec: 1, burst: 5 }, 0);
    expect(bucket.take(0, 6)).toBe(false);
    expect(bucket.available(0)).toBe(5);
    expect(bucket.take(0, 5)).toBe(true);
    expect(bucket.available(0)).toBe(0);
  });

  it('ignores a clock that goes backwards', () => {
    const bucket = new TokenBucket({ perSec: 1000, burst: 2 }, 500);
    bucket.take(500, 2);
    expect(bucket.available(100)).toBe(0);
  });
});

describe('RateCaps', () => {
  it('stops examining a junk source once its budget is spent, and lets it back as it refills', () => {
    const clock = new ManualClock();
    const c = caps(clock);
    for (let i = 0; i < 5; i++) {
      expect(c.examine(stranger)).toBe(true);
      c.junk(stranger);
    }
    expect(c.examine(stranger)).toBe(false);
    expect(c.examine({ address: '10.0.0.3', port: 1 })).toBe(true);
    expect(c.stats.junkCapped).toBe(1);
    clock.advance(100);
    expect(c.examine(stranger)).toBe(true);
  });

  it('never refuses the exact peer endpoint, even when junk spoofing its address spent the budget', () => {
    const clock = new ManualClock();
    const c = caps(clock, { junkGlobal: { perSec: 1, burst: 3 } });
    for (let i = 0; i < 50; i++) c.junk(spoofer);
    expect(c.examine(spoofer)).toBe(false);
    expect(c.examine(stranger)).toBe(false);
    expect(c.examine(peer)).toBe(true);
    // Failed opens from the peer's own endpoint are junk too, but never block it.
    for (let i = 0; i < 50; i++) c.settle(peer, 100, false);
    expect(c.examine(peer)).toBe(true);
    expect(c.admitPeer(peer)).toBe(true);
  });

  it('caps authenticated datagrams per peer; only authentic ones take its tokens', () => {
    const clock = new ManualClock();
    const c = caps(clock);
    for (let i = 0; i < 1000; i++) c.settle(peer, 50, false);
    expect(c.admitPeer(peer)).toBe(true);
    for (let i = 0; i < 10; i++) {
      expect(c.admitPeer(peer)).toBe(true);
      c.settle(peer, 50, true);
    }
    expect(c.admitPeer(peer)).toBe(false);
    expect(c.admitPeer(spoofer)).toBe(true);
    expect(c.stats.peerCapped).toBe(1);
    clock.advance(10);
    expect(c.admitPeer(peer)).toBe(true);
    expect(c.stats.authenticatedBytes).toBe(500);
  });

  it('never sends a peer more reply bytes than it sent plus the allowance', () => {
    const clock = new ManualClock();
    const c = caps(clock, { replies: { perSec: 1000, burst: 1000 } });
    expect(c.allowReply(peer.address, peer.port, 80)).toBe(true);
    expect(c.allowReply(peer.address, peer.port, 80)).toBe(false);
    c.settle(peer, 60, true);
    expect(c.allowReply(peer.address, peer.port, 80)).toBe(true);
    expect(c.stats.replyBytesSent).toBe(160);
    expect(c.stats.replyBytesSent).toBeLessThanOrEqual(c.stats.authenticatedBytes + 100);
    expect(c.stats.repliesCapped).toBe(1);
  });

  it('sends at most the reply rate to one peer, whatever it sent', () => {
    const clock = new ManualClock();
    const c = caps(clock);
    c.settle(peer, 1_000_000, true);
    const sent = () => [1, 2, 3, 4, 5].filter(() => c.allowReply(peer.address, peer.port, 10));
    expect(sent()).toHaveLength(3);
    clock.advance(100);
    expect(sent()).toHaveLength(1);
    expect(c.stats).toMatchObject({ repliesSent: 4, repliesCapped: 6 });
  });

  it('charges replies (direction 1) through the guarded socket, not the sender’s own datagrams', () => {
    const clock = new ManualClock();
    const c = caps(clock);
    const wire: number[] = [];
    const inner: DatagramSocket = {
      port: 9,
      send: (parts) => wire.push(parts[0]![3]!),
      onMessage: () => {},
      close: async () => {},
    };
    const guarded = c.guardReplies(inner);
    const datagram = (direction: number) => [
      Buffer.from([0x54, 1, 3, direction]),
      Buffer.alloc(60),
    ];
    for (let i = 0; i < 5; i++) guarded.send(datagram(0), peer.port, peer.address);
    guarded.send(datagram(1), peer.port, peer.address);
    guarded.send(datagram(1), peer.port, peer.address);
    expect(wire).toEqual([0, 0, 0, 0, 0, 1]);
    expect(c.stats.repliesCapped).toBe(1);
    expect(guarded.port).toBe(9);
  });

  it('forgets the oldest source past maxTracked', () => {
    const clock = new ManualClock();
    const c = caps(clock, { maxTracked: 2 });
    for (let i = 0; i < 10; i++) c.junk(stranger);
    expect(c.examine(stranger)).toBe(false);
    c.junk({ address: 'a', port: 1 });
    c.junk({ address: 'b', port: 1 });
    expect(c.examine(stranger)).toBe(true);
  });

  it('validates options and fills in defaults', () => {
    expect(rateCapOptions()).toEqual(DEFAULT_RATE_CAPS);
    expect(() => rateCapOptions({ replies: { perSec: 0, burst: 1 } })).toThrow(/replies/);
    expect(() => rateCapOptions({ junkGlobal: { perSec: 5, burst: 0.5 } })).toThrow(/junkGlobal/);
    expect(() => rateCapOptions({ maxTracked: 0 })).toThrow(RangeError);
    expect(endpointKey('::ffff:127.0.0.1', 5)).toBe('127.0.0.1:5');
    expect(endpointKey('localhost', 5)).toBe('127.0.0.1:5');
  });
});
