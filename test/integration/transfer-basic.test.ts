import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type EnginePair,
  enginePair,
  sha256Of,
  startTransfer,
  tempDir,
  writeTestFile,
} from '../helpers/transfer-harness.js';

describe('transfer engine over loopback', () => {
  let pair: EnginePair | null = null;
  afterEach(async () => {
    await pair?.close();
    pair = null;
  });

  for (const size of [0, 1, 999, 1000, 1001, 3 * 1024 * 1024 + 17]) {
    it(`moves ${size} bytes intact (chunk 1000)`, async () => {
      pair = await enginePair({ engine: { chunkSize: 1000 } });
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
    });
  }
});
