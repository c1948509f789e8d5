import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngineOnSocket } from '../../src/transfer/engine.js';
import type { DatagramSocket, Peer } from '../../src/transfer/net/udp-socket.js';
import { ManualClock } from '../../src/util/clock.js';

/** Two in-memory sockets joined by a link that drops every `dropEvery`-th datagram. */
function memoryLink(dropEvery: number): [DatagramSocket, DatagramSocket] {
  let count = 0;
  const { sockets } = switchedLink(() => ++count % dropEvery === 0);
  return [sockets[0], sockets[1]];
}

/** A sender engine on `a` and a receiver engine on `b`, one transfer of `size` random bytes started. */
async function transferPair(
  [a, b]: readonly [DatagramSocket, DatagramSocket],
  opts: Parameters<typeof createEngineOnSocket>[1],
  size: number,
) {
  const sender = createEngineOnSocket(a, opts);
  const receiver = createEngineOnSocket(b, opts);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tessenger-engine-'));
  const data = crypto.randomBytes(size);
  await fs.writeFile(path.join(dir, 'in.bin'), data);
  const sha256 = crypto.createHash('sha256').update(data).digest('hex');
  const sk = sender.createKeyPair();
  const rk = receiver.createKeyPair();
  const common = { transferId: 'fake-1', size: data.length, sha256 };
  const rx = receiver.receive({
    ...common,
    peer: { address: '127.0.0.1', port: a.port },
    dir,
    fileName: 'out.bin',
    keys: rk,
    remotePublicKey: sk.publicKey,
  });
  const tx = sender.send({
    ...common,
    peer: { address: '127.0.0.1', port: b.port },
    filePath: path.join(dir, 'in.bin'),
    keys: sk,
    remotePublicKey: rk.publicKey,
  });
  return { sender, receiver, dir, data, tx, rx };
}

describe('engine over the DatagramSocket seam', () => {
  it('moves a file through a fake lossy link and closes without leftovers', async () => {
    const p = await transferPair(memoryLink(7), { chunkSize: 1000 }, 50_000);
    const [sent, got] = await Promise.all([p.tx.done, p.rx.done]);
    expect(got.path).toBe(path.join(p.dir, 'out.bin'));
    expect((await fs.readFile(got.path!)).equals(p.data)).toBe(true);
    expect(sent.sentBytes).toBe(p.data.length);
    expect(p.tx.stats.retransmits).toBeGreaterThan(0);
    await Promise.all([p.sender.close(), p.receiver.close()]);
    expect(p.tx.pendingTimers + p.rx.pendingTimers).toBe(0);
    expect((await fs.readdir(p.dir)).sort()).toEqual(['in.bin', 'out.bin']);
    await fs.rm(p.dir, { recursive: true, force: true });
  });

  it('counts datagrams for unknown transfers and garbage without answering', async () => {
    const [a, b] = memoryLink(1_000_000);
    const engine = createEngineOnSocket(b, {});
    let answered = 0;
    a.onMessage(() => answered++);
    a.send([Buffer.from('garbage')], 1002, '127.0.0.1');
    const header = Buffer.alloc(40);
    header.set([0x54, 1, 2, 0]);
    a.send([header], 1002, '127.0.0.1');
    await new Promise((r) => setImmediate(r));
    expect(engine.stats).toMatchObject({ malformed: 1, unknownTransfer: 1 });
    expect(answered).toBe(0);
    await engine.close();
  });
});

/** Two in-memory sockets; `dark()` says whether a datagram from `port` is lost. */
function switchedLink(dark: (fromPort: number) => boolean) {
  const handlers = new Map<number, (d: Buffer, from: Peer) => void>();
  const sent = { 1001: 0, 1002: 0 } as Record<number, number>;
  const make = (port: number): DatagramSocket => ({
    port,
    send(parts, toPort) {
      sent[port]!++;
      if (dark(port)) return;
      const copy = Buffer.concat(parts);
      // Asynchronous like a real socket, so no re-entrancy surprises.
      setImmediate(() => handlers.get(toPort)?.(copy, { address: '127.0.0.1', port }));
    },
    onMessage(handler) {
      handlers.set(port, handler);
    },
    close: async () => {
      handlers.delete(port);
    },
  });
  return { sockets: [make(1001), make(1002)] as const, sent };
}

/** Moves the clock on in small steps, letting real I/O (file reads, the link) run between. */
async function runFor(clock: ManualClock, ms: number, step = 5): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * Yields to real I/O (file opens on the thread pool) until `done()`, moving the clock 1 ms
 * every `tickEvery` turns (pacing needs time to pass; 0: never).
 */
async function settle(clock: ManualClock, done: () => boolean, tickEvery = 0): Promise<void> {
  for (let turn = 1; turn < 50_000 && !done(); turn++) {
    clock.advance(tickEvery > 0 && turn % tickEvery === 0 ? 1 : 0);
    await new Promise((r) => setImmediate(r));
  }
  expect(done()).toBe(true);
}

describe('engine time-outs on a manual clock (no waiting)', () => {
  async function pair(dark: (fromPort: number) => boolean) {
    const clock = new ManualClock(0);
    const link = switchedLink(dark);
    const opts = { chunkSize: 1000, stallTimeoutMs: 2000, lingerMs: 100, clock };
    const p = await transferPair(link.sockets, opts, 40_000);
    const outcome = (t: { done: Promise<unknown> }) =>
      t.done.then(
        () => 'done',
        (e: { code: string }) => e.code,
      );
    const close = async () => {
      await Promise.all([p.sender.close(), p.receiver.close()]);
      await fs.rm(p.dir, { recursive: true, force: true });
    };
    return { ...p, clock, link, sent: outcome(p.tx), got: outcome(p.rx), close };
  }

  it('resends HELLO with back-off and fails STALLED at the stall time-out, not before', async () => {
    const p = await pair((from) => from === 1001);
    let settled = '';
    void p.sent.then((code) => {
      settled = code;
    });
    await settle(p.clock, () => p.link.sent[1001]! > 0);
    await runFor(p.clock, 1990);
    expect(settled).toBe('');
    // 50 ms doubling to a 1 s cap: sent at 0, 50, 150, 350, 750, 1550 ms.
    expect(p.link.sent[1001]).toBe(6);
    await runFor(p.clock, 20);
    expect(await p.sent).toBe('STALLED');
    expect(p.tx.pendingTimers).toBeGreaterThan(0); // the ABORT linger
    p.tx.cancel('test over');
    await p.close();
    expect(p.tx.pendingTimers + p.rx.pendingTimers).toBe(0);
  });

  it('retransmits on the RTO when the path goes dark mid-transfer, then both sides stall', async () => {
    let dark = false;
    const p = await pair(() => dark);
    // Let the handshake and a few chunks through, then cut the link both ways.
    await settle(p.clock, () => (p.tx.windowStats?.sent ?? 0) >= 5, 20);
    dark = true;
    const before = p.tx.stats.retransmits;
    await runFor(p.clock, 1000);
    expect(p.tx.stats.retransmits).toBeGreaterThan(before);
    await runFor(p.clock, 1200);
    expect(await p.sent).toBe('STALLED');
    expect(await p.got).toBe('STALLED');
    await p.close();
    expect(p.tx.pendingTimers + p.rx.pendingTimers).toBe(0);
  });
});
