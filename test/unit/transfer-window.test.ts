import { describe, expect, it } from 'vitest';
import { ReceiveWindow } from '../../src/transfer/reliability/receive-window.js';
import { RttEstimator } from '../../src/transfer/reliability/rtt.js';
import { DEFAULT_WINDOW_CONFIG, SendWindow } from '../../src/transfer/reliability/window.js';
import { ManualClock } from '../../src/util/clock.js';

const CHUNK = 1000;

/** The ACK a receiver holding `held` chunks would send. */
function ackFor(total: number, held: number[]) {
  const r = new ReceiveWindow(total);
  for (const c of held) r.add(c);
  return { cum: r.cum, bitmap: r.bitmap() };
}

function sendAll(w: SendWindow, clock: ManualClock, seq: { n: number }, max = Infinity) {
  const sent: number[] = [];
  for (let pick = w.next(); pick && sent.length < max; pick = w.next()) {
    w.onSent(pick.chunk, seq.n++, clock.now(), pick.retransmit);
    sent.push(pick.chunk);
    if (sent.length >= max) break;
  }
  return sent;
}

describe('send window', () => {
  it('fast-retransmits a hole once enough later chunks are acknowledged', () => {
    const clock = new ManualClock(1000);
    const w = new SendWindow(40, () => CHUNK, { ...DEFAULT_WINDOW_CONFIG, packetThreshold: 3 });
    const seq = { n: 0 };
    expect(sendAll(w, clock, seq, 20)).toHaveLength(20);
    clock.advance(1);
    const held = [0, 1, 3, 4, 5, 6, 7];
    const { cum, bitmap } = ackFor(40, held);
    const out = w.onAck(cum, bitmap, clock.now());
    expect(out.ackedChunks).toBe(7);
    expect(out.lostChunks).toBe(1);
    expect(w.next()).toEqual({ chunk: 2, retransmit: true });
    expect(w.onSent(2, seq.n++, clock.now(), true)).toBe(1);
    expect(w.stats.retransmits).toBe(1);
  });

  it('tolerates reordering below the thresholds and duplicate ACKs', () => {
    const clock = new ManualClock(0);
    const w = new SendWindow(10, () => CHUNK);
    const seq = { n: 0 };
    sendAll(w, clock, seq);
    const { cum, bitmap } = ackFor(10, [1, 2]);
    expect(w.onAck(cum, bitmap, clock.now()).lostChunks).toBe(0);
    expect(w.onAck(cum, bitmap, clock.now()).ackedChunks).toBe(0);
    expect(w.next()).toBeNull();
    expect(w.inFlightCount).toBe(8);
  });

  it('widens its thresholds once a loss proves spurious (reordering), not before', () => {
    const clock = new ManualClock(1000);
    const w = new SendWindow(200, () => CHUNK, { ...DEFAULT_WINDOW_CONFIG, packetThreshold: 3 });
    const seq = { n: 0 };
    sendAll(w, clock, seq, 100);
    clock.advance(1);
    // Chunk 0 is overtaken by five later ones: by the configured threshold it is lost.
    const first = ackFor(200, [1, 2, 3, 4, 5]);
    expect(w.onAck(first.cum, first.bitmap, clock.now()).lostChunks).toBe(1);
    expect(w.stats.spurious).toBe(0);
    // Its first copy arrives before the resend left: the loss was reordering.
    const late = ackFor(200, [0, 1, 2, 3, 4, 5]);
    w.onAck(late.cum, late.bitmap, clock.now());
    expect(w.stats.spurious).toBe(1);
    expect(w.reorderSteps).toBe(1);
    expect(w.next()).toEqual({ chunk: 100, retransmit: false });
    // The same depth of reordering no longer counts as loss (threshold now 6)...
    const again = ackFor(200, [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11]);
    expect(w.onAck(again.cum, again.bitmap, clock.now()).lostChunks).toBe(0);
    // ...a deeper hole still does.
    const deep = ackFor(200, [0, 1, 2, 3, 4, 5, ...Array.from({ length: 10 }, (_, i) => 7 + i)]);
    expect(w.onAck(deep.cum, deep.bitmap, clock.now()).lostChunks).toBe(1);
  });

  it('a resend acknowledged after a full round trip is a real loss: no widening', () => {
    const clock = new ManualClock(1000);
    const w = new SendWindow(40, () => CHUNK, { ...DEFAULT_WINDOW_CONFIG, packetThreshold: 3 });
    const seq = { n: 0 };
    sendAll(w, clock, seq, 20);
    clock.advance(50);
    const holey = ackFor(40, [1, 2, 3, 4, 5]);
    w.onAck(holey.cum, holey.bitmap, clock.now());
    const resend = w.next();
    expect(resend).toEqual({ chunk: 0, retransmit: true });
    w.onSent(0, seq.n++, clock.now(), true);
    clock.advance(50);
    const fixed = ackFor(40, [0, 1, 2, 3, 4, 5]);
    w.onAck(fixed.cum, fixed.bitmap, clock.now());
    expect(w.stats.spurious).toBe(0);
    expect(w.reorderSteps).toBe(0);
  });

  it('declares a hole lost by time once a later chunk was acknowledged', () => {
    const clock = new ManualClock(0);
    const w = new SendWindow(5, () => CHUNK);
    const seq = { n: 0 };
    sendAll(w, clock, seq);
    w.rtt.sample(10);
    const { cum, bitmap } = ackFor(5, [1]);
    w.onAck(cum, bitmap, clock.now());
    const due = w.deadline()!;
    expect(due).toBeGreaterThan(clock.now());
    clock.set(due);
    expect(w.onTimer(clock.now()).lostChunks).toBeGreaterThan(0);
    expect(w.next()).toEqual({ chunk: 0, retransmit: true });
  });

  it('on RTO resends only the oldest chunk and backs the RTO off, bounded', () => {
    const clock = new ManualClock(0);
    const w = new SendWindow(5, () => CHUNK);
    const seq = { n: 0 };
    sendAll(w, clock, seq);
    const rto = w.rtt.rto;
    clock.advance(rto - 1);
    expect(w.onTimer(clock.now()).timedOut).toBe(false);
    clock.advance(1);
    const out = w.onTimer(clock.now());
    expect(out).toMatchObject({ timedOut: true, lostChunks: 1 });
    expect(w.rtt.rto).toBe(Math.min(2 * rto, 2000));
    expect(w.next()).toEqual({ chunk: 0, retransmit: true });
    expect(w.next()).toBeNull();
    for (let i = 0; i < 20; i++) w.rtt.onTimeout();
    expect(w.rtt.rto).toBe(2000);
    w.rtt.onProgress();
    expect(w.rtt.rto).toBe(rto);
  });

  it('probes a lost tail after max(2 SRTT, 10 ms) instead of waiting for the RTO', () => {
    const clock = new ManualClock(0);
    const w = new SendWindow(3, () => CHUNK);
    const seq = { n: 0 };
    sendAll(w, clock, seq);
    w.rtt.sample(1);
    const { cum, bitmap } = ackFor(3, [0, 1]);
    w.onAck(cum, bitmap, clock.now());
    clock.advance(9);
    expect(w.tailProbe(clock.now())).toBe(false);
    clock.advance(1);
    expect(w.tailProbe(clock.now())).toBe(true);
    expect(w.next()).toEqual({ chunk: 2, retransmit: true });
    w.onSent(2, seq.n++, clock.now(), true);
    clock.advance(50);
    // One probe per silence: the next waits for an ACK that makes progress (or the RTO).
    expect(w.tailProbe(clock.now())).toBe(false);
    expect(w.stats.tailProbes).toBe(1);
  });

  it('does not probe while new data can still be sent', () => {
    const clock = new ManualClock(0);
    const w = new SendWindow(10, () => CHUNK);
    sendAll(w, clock, { n: 0 }, 3);
    clock.advance(1000);
    expect(w.tailProbe(clock.now())).toBe(false);
  });

  it('skips chunks the receiver already holds (resume) and respects the bitmap span', () => {
    const clock = new ManualClock(0);
    const w = new SendWindow(30_000, () => CHUNK);
    const { cum, bitmap } = ackFor(30_000, [0, 1, 2, 3, 4, 6]);
    w.onAck(cum, bitmap, clock.now());
    expect(w.next()).toEqual({ chunk: 5, retransmit: false });
    expect(w.next()).toEqual({ chunk: 7, retransmit: false });
    const seq = { n: 0 };
    const sent = sendAll(w, clock, seq);
    expect(Math.max(...sent)).toBeLessThanOrEqual(5 + DEFAULT_WINDOW_CONFIG.maxSpan);
  });

  it('completes when everything is acknowledged, including a zero-chunk file', () => {
    expect(new SendWindow(0, () => 0).complete).toBe(true);
    const clock = new ManualClock(0);
    const w = new SendWindow(3, (c) => (c === 2 ? 1 : CHUNK));
    sendAll(w, clock, { n: 0 });
    const out = w.onAck(3, Buffer.alloc(0), 0);
    expect(out.ackedBytes).toBe(2001);
    expect(w.complete).toBe(true);
    expect(w.inFlightBytes).toBe(0);
  });
});

describe('rtt estimator', () => {
  it('smooths samples and keeps the RTO between its floor and ceiling', () => {
    const rtt = new RttEstimator({ initialRtoMs: 300, minRtoMs: 50, maxRtoMs: 1000 });
    expect(rtt.rto).toBe(300);
    rtt.sample(100);
    expect(rtt.srtt).toBe(100);
    expect(rtt.rto).toBe(300);
    for (let i = 0; i < 50; i++) rtt.sample(1);
    expect(rtt.rto).toBe(50);
    rtt.sample(5000);
    expect(rtt.rto).toBe(1000);
  });
});

describe('receive window', () => {
  it('tracks duplicates, the cumulative point and the bitmap', () => {
    const r = new ReceiveWindow(20);
    expect(r.add(0)).toBe('new');
    expect(r.add(0)).toBe('duplicate');
    expect(r.add(20)).toBe('invalid');
    r.add(2);
    r.add(3);
    r.add(10);
    expect(r.cum).toBe(1);
    expect(r.hasGap).toBe(true);
    // bit i = chunk cum + 1 + i: chunks 2, 3 → bits 0, 1; chunk 10 → bit 8.
    expect([...r.bitmap()]).toEqual([0b11, 0b1]);
    r.add(1);
    expect(r.cum).toBe(4);
    r.remove(2);
    expect(r.cum).toBe(2);
  });

  it('marks chunks wholly inside resumed byte ranges as held, the short last one included', () => {
    const r = new ReceiveWindow(5); // 4 × 1000 B + 500 B = 4500 B
    r.markHeld(
      [
        [0, 2500],
        [3000, 4500],
      ],
      1000,
      4500,
    );
    expect([0, 1, 2, 3, 4].map((c) => r.received.has(c))).toEqual([true, true, false, true, true]);
    expect(r.cum).toBe(2);
  });
});
