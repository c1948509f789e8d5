/**
 * A seeded user-space UDP impairment proxy between two real sockets (the kernel here has no
 * netem). Side A talks to `portForA`, side B to `portForB`; each datagram may be lost,
 * corrupted, duplicated, delayed, reordered or queued behind a rate limit, with counters.
 * `tap` sees every datagram (to record for replay) and `inject` sends raw bytes to a side.
 */
import dgram from 'node:dgram';

export interface Impairment {
  /** Probabilities 0..1, per datagram. */
  loss?: number;
  duplicate?: number;
  reorder?: number;
  corrupt?: number;
  /** Extra hold for a reordered datagram. */
  reorderDelayMs?: number;
  delayMs?: number;
  /** Bottleneck rate in bytes/s with a tail-drop queue of queueBytes. */
  rateBytesPerSec?: number;
  queueBytes?: number;
}

export interface ProxyCounters {
  received: number;
  forwarded: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  queueDrops: number;
}

export type Side = 'a' | 'b';

export interface UdpProxy {
  readonly portForA: number;
  readonly portForB: number;
  readonly counters: ProxyCounters;
  impair(change: Impairment): void;
  tap(fn: (from: Side, datagram: Buffer) => void): void;
  inject(to: Side, datagram: Buffer): void;
  close(): Promise<void>;
}

/** mulberry32: tiny, seedable, good enough to make loss patterns reproducible. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function bind(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  for (const set of [socket.setRecvBufferSize, socket.setSendBufferSize]) {
    try {
      set.call(socket, 8 * 1024 * 1024);
    } catch {
      // Capped by the kernel; fine.
    }
  }
  return socket;
}

export async function createUdpProxy(options: {
  a: { port: number; address?: string };
  b: { port: number; address?: string };
  seed?: number;
  impairment?: Impairment;
}): Promise<UdpProxy> {
  const random = seededRandom(options.seed ?? 1);
  let imp: Impairment = { ...options.impairment };
  const counters: ProxyCounters = {
    received: 0,
    forwarded: 0,
    dropped: 0,
    duplicated: 0,
    reordered: 0,
    corrupted: 0,
    queueDrops: 0,
  };
  const facingA = await bind();
  const facingB = await bind();
  const timers = new Set<NodeJS.Timeout>();
  const taps: Array<(from: Side, d: Buffer) => void> = [];
  const busyUntil: Record<Side, number> = { a: 0, b: 0 };
  let closed = false;

  const deliver = (to: Side, d: Buffer): void => {
    if (closed) return;
    counters.forwarded++;
    const target = to === 'a' ? options.a : options.b;
    (to === 'a' ? facingA : facingB).send(d, target.port, target.address ?? '127.0.0.1');
  };
  const later = (ms: number, fn: () => void): void => {
    if (ms <= 0) {
      fn();
      return;
    }
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const forward = (to: Side, d: Buffer): void => {
    let wait = imp.delayMs ?? 0;
    if (imp.rateBytesPerSec) {
      const now = performance.now();
      const start = Math.max(now, busyUntil[to]);
      const queued = ((start - now) * imp.rateBytesPerSec) / 1000;
      if (queued > (imp.queueBytes ?? 256 * 1024)) {
        counters.queueDrops++;
        return;
      }
      busyUntil[to] = start + (d.length * 1000) / imp.rateBytesPerSec;
      wait += busyUntil[to] - now;
    }
    if (imp.reorder && random() < imp.reorder) {
      counters.reordered++;
      wait += imp.reorderDelayMs ?? 3;
    }
    later(wait, () => deliver(to, d));
  };
  const onDatagram = (to: Side, from: Side, d: Buffer): void => {
    counters.received++;
    for (const fn of taps) fn(from, d);
    if (imp.loss && random() < imp.loss) {
      counters.dropped++;
      return;
    }
    let out = d;
    if (imp.corrupt && random() < imp.corrupt) {
      counters.corrupted++;
      out = Buffer.from(d);
      const i = Math.floor(random() * out.length);
      out[i] = out[i]! ^ (1 + Math.floor(random() * 255));
    }
    forward(to, out);
    if (imp.duplicate && random() < imp.duplicate) {
      counters.duplicated++;
      forward(to, out);
    }
  };
  facingA.on('message', (d) => onDatagram('b', 'a', d));
  facingB.on('message', (d) => onDatagram('a', 'b', d));

  return {
    portForA: facingA.address().port,
    portForB: facingB.address().port,
    counters,
    impair(change) {
      imp = { ...imp, ...change };
    },
    tap(fn) {
      taps.push(fn);
    },
    inject(to, d) {
      deliver(to, d);
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all([
        new Promise<void>((r) => facingA.close(() => r())),
        new Promise<void>((r) => facingB.close(() => r())),
      ]);
    },
  };
}
