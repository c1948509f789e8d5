import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngineOnSocket } from '../../src/transfer/engine.js';
import type { DatagramSocket, Peer } from '../../src/transfer/net/udp-socket.js';

/** Two in-memory sockets joined by a link that drops every `dropEvery`-th datagram. */
function memoryLink(dropEvery: number): [DatagramSocket, DatagramSocket] {
  const handlers = new Map<number, (d: Buffer, from: Peer) => void>();
  let count = 0;
  const make = (port: number): DatagramSocket => ({
    port,
    send(parts, toPort) {
      if (++count % dropEvery === 0) return;
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
  return [make(1001), make(1002)];
}

describe('engine over the DatagramSocket seam', () => {
  it('moves a file through a fake lossy link and closes without leftovers', async () => {
    const [a, b] = memoryLink(7);
    const sender = createEngineOnSocket(a, { chunkSize: 1000 });
    const receiver = createEngineOnSocket(b, { chunkSize: 1000 });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tessenger-engine-'));
    const data = crypto.randomBytes(50_000);
    await fs.writeFile(path.join(dir, 'in.bin'), data);
    const sha256 = crypto.createHash('sha256').update(data).digest('hex');
    const sk = sender.createKeyPair();
    const rk = receiver.createKeyPair();
    const common = { transferId: 'fake-1', size: data.length, sha256 };
    const rx = receiver.receive({
      ...common,
      peer: { address: '127.0.0.1', port: 1001 },
      dir,
      fileName: 'out.bin',
      keys: rk,
      remotePublicKey: sk.publicKey,
    });
    const tx = sender.send({
      ...common,
      peer: { address: '127.0.0.1', port: 1002 },
      filePath: path.join(dir, 'in.bin'),
      keys: sk,
      remotePublicKey: rk.publicKey,
    });
    const [sent, got] = await Promise.all([tx.done, rx.done]);
    expect(got.path).toBe(path.join(dir, 'out.bin'));
    expect((await fs.readFile(got.path!)).equals(data)).toBe(true);
    expect(sent.sentBytes).toBe(data.length);
    expect(tx.stats.retransmits).toBeGreaterThan(0);
    await Promise.all([sender.close(), receiver.close()]);
    expect(tx.pendingTimers + rx.pendingTimers).toBe(0);
    expect((await fs.readdir(dir)).sort()).toEqual(['in.bin', 'out.bin']);
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
