import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  enginePairsClosedAfterEach,
  sha256Of,
  startTransfer,
  tempDir,
  writeTestFile,
} from '../helpers/transfer-harness.js';

describe('transfer engine over loopback', () => {
  const openPair = enginePairsClosedAfterEach();

  for (const size of [0, 1, 999, 1000, 1001, 3 * 1024 * 1024 + 17]) {
    it(`moves ${size} bytes intact (chunk 1000)`, async () => {
      const pair = await openPair({ engine: { chunkSize: 1000 } });
      const src = await tempDir();
      const dst = await tempDir();
      const file = await writeTestFile(src, 'lecture1.mp4', size);
      const { send, receive } = startTransfer(pair, file, dst);
      const [sent, got] = await Promise.all([send.done, receive.done]);
      expect(got.path).toBe(path.join(dst, 'Yoda_lecture1.mp4'));
      expect(await sha256Of(got.path!)).toBe(file.sha256);
      expect(sent.bytes).toBe(size);
      expect(sent.sentBytes).toBe(size);
      const left = await fs.readdir(dst);
      expect(left).toEqual(['Yoda_lecture1.mp4']);
      expect(send.pendingTimers).toBe(0);
      await pair.close();
      expect(receive.pendingTimers).toBe(0);
    });
  }

  it('saves two concurrent receptions of the same file into one folder under two names', async () => {
    const pair = await openPair({ engine: { chunkSize: 1000 } });
    const src = await tempDir();
    const dst = await tempDir();
    const file = await writeTestFile(src, 'same.bin', 200_000);
    const a = startTransfer(pair, file, dst);
    const b = startTransfer(pair, file, dst);
    const results = await Promise.all([a.send.done, a.receive.done, b.send.done, b.receive.done]);
    const paths = [results[1].path, results[3].path].sort();
    expect(paths).toEqual([path.join(dst, 'Yoda_same-1.bin'), path.join(dst, 'Yoda_same.bin')]);
    for (const p of paths) expect(await sha256Of(p!)).toBe(file.sha256);
  });

  // Not slow (2-5 s on 2 cores), so it runs by default rather than behind TESSENGER_SLOW.
  it('moves 200 MiB with the default loopback chunk size', async () => {
    const pair = await openPair();
    const src = await tempDir();
    const dst = await tempDir();
    const file = await writeTestFile(src, 'big.bin', 200 * 1024 * 1024);
    const { send, receive } = startTransfer(pair, file, dst);
    const [, got] = await Promise.all([send.done, receive.done]);
    expect(await sha256Of(got.path!)).toBe(file.sha256);
    await fs.rm(src, { recursive: true });
    await fs.rm(dst, { recursive: true });
  });
});
