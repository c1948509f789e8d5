/**
 * A receiver whose engine runs in a worker thread (as in the benchmark, and as an embedding
 * application may run it) hashes on the shared hash thread (forced on: by default it is used
 * only with more than two CPUs) from inside that worker. An earlier
 * hash-thread attempt hung exactly here; this checks the reception completes, the file is
 * intact, and the worker then exits on its own (nothing left holding its event loop).
 * The worker loads the compiled engine from dist/ (built by `npm test` before vitest runs).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createTransferEngine, type UdpTransferEngine } from '../../src/transfer/engine.js';
import { sha256Of, tempDir, writeTestFile } from '../helpers/transfer-harness.js';

const engineUrl = pathToFileURL(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/transfer/engine.js'),
).href;

const RECEIVER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { createTransferEngine } = await import(workerData.engineUrl);
  const engine = await createTransferEngine({ port: 0, host: '127.0.0.1', hashThread: true });
  const keys = engine.createKeyPair();
  parentPort.postMessage({ port: engine.port, publicKey: keys.publicKey });
  parentPort.once('message', async (m) => {
    const t = engine.receive({ ...workerData.offer, peer: { address: '127.0.0.1', port: m.peerPort },
      keys, remotePublicKey: m.publicKey });
    let answer;
    try {
      const r = await t.done;
      answer = { ok: true, path: r.path };
    } catch (error) {
      answer = { ok: false, error: String(error) };
    }
    // Linger until the sender has its DONE, then close: the worker must then exit by itself.
    setTimeout(() => engine.close().then(() => parentPort.postMessage(answer)), 200);
  });
})();
`;

describe('receiver in a worker thread', () => {
  let sender: UdpTransferEngine | null = null;
  afterEach(async () => {
    await sender?.close();
    sender = null;
  });

  it('receives, verifies on the hash thread and lets the worker exit', async () => {
    await fs.access(fileURLToPath(engineUrl));
    const src = await tempDir();
    const dst = await tempDir();
    const file = await writeTestFile(src, 'clip.mp4', 12 * 1024 * 1024 + 5);
    sender = await createTransferEngine({ port: 0, host: '127.0.0.1' });
    const keys = sender.createKeyPair();
    const offer = {
      transferId: 'in-worker',
      dir: dst,
      fileName: 'clip.mp4',
      size: file.size,
      sha256: file.sha256,
    };
    const worker = new Worker(RECEIVER, { eval: true, workerData: { engineUrl, offer } });
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const messages: unknown[] = [];
    const waiters: Array<(m: unknown) => void> = [];
    worker.on('message', (m) => (waiters.shift() ?? ((x) => messages.push(x)))(m));
    worker.on('error', (e) => (waiters.shift() ?? ((x) => messages.push(x)))({ ok: false, e }));
    const next = <T>(): Promise<T> =>
      messages.length > 0
        ? Promise.resolve(messages.shift() as T)
        : new Promise((r) => waiters.push(r as (m: unknown) => void));

    const ready = await next<{ port: number; publicKey: string }>();
    worker.postMessage({ peerPort: sender.port, publicKey: keys.publicKey });
    const send = sender.send({
      transferId: 'in-worker',
      peer: { address: '127.0.0.1', port: ready.port },
      filePath: file.path,
      size: file.size,
      sha256: file.sha256,
      keys,
      remotePublicKey: ready.publicKey,
    });
    await send.done;
    const answer = await next<{ ok: boolean; path?: string; error?: string }>();
    expect(answer).toEqual({ ok: true, path: path.join(dst, 'clip.mp4') });
    expect(await sha256Of(answer.path!)).toBe(file.sha256);
    expect(await exited).toBe(0);
  });
});
