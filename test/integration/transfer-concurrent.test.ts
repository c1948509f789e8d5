import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  enginePairsClosedAfterEach,
  sha256Of,
  startTransfer,
  tempDir,
  writeTestFile,
} from '../helpers/transfer-harness.js';

describe('transfer engine: concurrency and streaming', () => {
  const openPair = enginePairsClosedAfterEach();

  it('runs two transfers at once in both directions over one socket each, at 5 % loss', async () => {
    const pair = await openPair({
      engine: { chunkSize: 2048 },
      seed: 9,
      impairment: { loss: 0.05, reorder: 0.05, duplicate: 0.02 },
    });
    const src = await tempDir();
    const dstA = await tempDir();
    const dstB = await tempDir();
    const ab = await writeTestFile(src, 'a-to-b.bin', 1024 * 1024 + 3, 1);
    const ba = await writeTestFile(src, 'b-to-a.bin', 1024 * 1024 - 3, 2);
    const forward = startTransfer(pair, ab, dstB);
    const backward = startTransfer(
      {
        sender: pair.receiver,
        receiver: pair.sender,
        toReceiver: pair.toSender,
        toSender: pair.toReceiver,
      },
      ba,
      dstA,
    );
    const results = await Promise.all([
      forward.send.done,
      forward.receive.done,
      backward.send.done,
      backward.receive.done,
    ]);
    expect(await sha256Of(results[1].path!)).toBe(ab.sha256);
    expect(await sha256Of(results[3].path!)).toBe(ba.sha256);
  });

  it('streams in-order bytes to a sink while saving', async () => {
    const pair = await openPair({
      engine: { chunkSize: 1500 },
      seed: 3,
      impairment: { loss: 0.05, reorder: 0.1 },
    });
    const src = await tempDir();
    const dst = await tempDir();
    const file = await writeTestFile(src, 'movie.mp4', 2 * 1024 * 1024 + 11);
    const sink = new PassThrough({ highWaterMark: 64 * 1024 });
    const parts: Buffer[] = [];
    const ended = new Promise<void>((resolve) => sink.on('end', resolve));
    // A slow reader: back-pressure must not stall the transfer.
    sink.on('data', (d: Buffer) => {
      parts.push(d);
      sink.pause();
      setTimeout(() => sink.resume(), 1);
    });
    const t = startTransfer(pair, file, dst, { stream: sink });
    const [, got] = await Promise.all([t.send.done, t.receive.done]);
    await ended;
    expect(await sha256Of(got.path!)).toBe(file.sha256);
    const streamed = Buffer.concat(parts);
    expect(streamed.length).toBe(file.size);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(streamed).digest('hex')).toBe(file.sha256);
  });

  it('keeps saving when the stream sink fails', async () => {
    const pair = await openPair({ engine: { chunkSize: 4096 } });
    const src = await tempDir();
    const dst = await tempDir();
    const file = await writeTestFile(src, 'clip.mp4', 1024 * 1024);
    let seen = 0;
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        seen += chunk.length;
        cb(seen > 100_000 ? new Error('player quit') : null);
      },
    });
    const t = startTransfer(pair, file, dst, { stream: sink });
    const [, got] = await Promise.all([t.send.done, t.receive.done]);
    expect(await sha256Of(got.path!)).toBe(file.sha256);
  });
});
