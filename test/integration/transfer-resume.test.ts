import fs from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createTransferEngine } from '../../src/transfer/engine.js';
import type { TransferProgress } from '../../src/transfer/types.js';
import {
  type EnginePair,
  enginePair,
  sha256Of,
  startTransfer,
  tempDir,
  writeTestFile,
} from '../helpers/transfer-harness.js';

describe('transfer resume and failure', () => {
  const open: EnginePair[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.close()));
  });

  for (const hashThread of [false, true]) {
    it(`resumes after the receiving engine closed mid-transfer, sending less the second time (hash thread ${hashThread ? 'on' : 'off'})`, async () => {
      const engine = { chunkSize: 4096, progressIntervalMs: 20, hashThread };
      const first = await enginePair({ engine, impairment: { rateBytesPerSec: 4_000_000 } });
      open.push(first);
      const src = await tempDir();
      const dst = await tempDir();
      const file = await writeTestFile(src, 'talk.mp4', 6 * 1024 * 1024);
      const one = startTransfer(first, file, dst);
      await new Promise<void>((resolve) => {
        one.receive.on('progress', (p: TransferProgress) => {
          if (p.bytes > file.size * 0.3) resolve();
        });
      });
      await first.receiver.close();
      await expect(one.receive.done).rejects.toMatchObject({ code: 'CANCELLED' });
      await expect(one.send.done).rejects.toMatchObject({ code: 'CANCELLED' });
      const names = await fs.readdir(dst);
      expect(names).not.toContain('Yoda_talk.mp4');
      expect(names.some((n) => n.endsWith('.part'))).toBe(true);
      expect(names.some((n) => n.endsWith('.ranges'))).toBe(true);

      const receiver = await createTransferEngine({ port: 0, host: '127.0.0.1', ...engine });
      const second = {
        sender: first.sender,
        receiver,
        toReceiver: { address: '127.0.0.1', port: receiver.port },
        toSender: { address: '127.0.0.1', port: first.sender.port },
      };
      const two = startTransfer(second, file, dst);
      const [sent, got] = await Promise.all([two.send.done, two.receive.done]);
      await receiver.close();
      expect(await sha256Of(got.path!)).toBe(file.sha256);
      expect(two.receive.resumed).toBeGreaterThan(file.size * 0.2);
      expect(sent.sentBytes).toBeLessThan(file.size * 0.8);
      expect(sent.sentBytes! + two.receive.resumed).toBeGreaterThanOrEqual(file.size);
      expect((await fs.readdir(dst)).sort()).toEqual(['Yoda_talk.mp4']);
    });
  }

  it('fails both sides with STALLED when the path goes dark, leaving no final file', async () => {
    const pair = await enginePair({
      engine: { chunkSize: 4096, stallTimeoutMs: 800, progressIntervalMs: 20 },
      impairment: { rateBytesPerSec: 3_000_000 },
    });
    open.push(pair);
    const src = await tempDir();
    const dst = await tempDir();
    const file = await writeTestFile(src, 'dark.bin', 4 * 1024 * 1024);
    const t = startTransfer(pair, file, dst);
    await new Promise<void>((resolve) => t.receive.once('progress', () => resolve()));
    pair.proxy!.impair({ loss: 1 });
    const [s, r] = await Promise.allSettled([t.send.done, t.receive.done]);
    expect(s).toMatchObject({ status: 'rejected', reason: { code: 'STALLED' } });
    expect(r).toMatchObject({ status: 'rejected', reason: { code: 'STALLED' } });
    expect((r as PromiseRejectedResult).reason.message).toMatch(/no progress .* for/);
    expect(await fs.readdir(dst)).not.toContain('Yoda_dark.bin');
  });

  it('fails the receiver with STALLED when the sender never shows up', async () => {
    const pair = await enginePair({ engine: { stallTimeoutMs: 300 } });
    open.push(pair);
    const dst = await tempDir();
    const keys = pair.receiver.createKeyPair();
    const t = pair.receiver.receive({
      transferId: 'never',
      peer: pair.toSender,
      dir: dst,
      fileName: 'Yoda_x.bin',
      size: 10,
      sha256: 'a'.repeat(64),
      keys,
      remotePublicKey: pair.sender.createKeyPair().publicKey,
    });
    await expect(t.done).rejects.toMatchObject({ code: 'STALLED' });
  });

  it('cancels on both sides when the sender cancels', async () => {
    const pair = await enginePair({
      engine: { chunkSize: 4096 },
      impairment: { rateBytesPerSec: 2_000_000 },
    });
    open.push(pair);
    const src = await tempDir();
    const dst = await tempDir();
    const file = await writeTestFile(src, 'c.bin', 2 * 1024 * 1024);
    const t = startTransfer(pair, file, dst);
    setTimeout(() => t.send.cancel('user pressed Ctrl-C'), 100);
    await expect(t.send.done).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(t.receive.done).rejects.toMatchObject({
      code: 'CANCELLED',
      message: expect.stringContaining('Ctrl-C'),
    });
    expect(await fs.readdir(dst)).not.toContain('Yoda_c.bin');
  });
});
