import { describe, expect, it } from 'vitest';
import {
  enginePairsClosedAfterEach,
  sha256Of,
  startTransfer,
  tempDir,
  writeTestFile,
} from '../helpers/transfer-harness.js';

describe('transfer engine through the impairment proxy', () => {
  const openPair = enginePairsClosedAfterEach();

  for (const loss of [0, 0.05, 0.2]) {
    it(`keeps a 3 MiB file intact at ${loss * 100} % loss with reordering and duplication`, async () => {
      const pair = await openPair({
        engine: { chunkSize: 4096 },
        seed: 42 + loss * 100,
        impairment: { loss, duplicate: 0.05, reorder: 0.05, reorderDelayMs: 3 },
      });
      const src = await tempDir();
      const dst = await tempDir();
      const file = await writeTestFile(src, 'lossy.bin', 3 * 1024 * 1024 + 5);
      const { send, receive } = startTransfer(pair, file, dst);
      const [sent, got] = await Promise.all([send.done, receive.done]);
      expect(await sha256Of(got.path!)).toBe(file.sha256);
      expect(sent.sentBytes).toBe(file.size);
      const proxy = pair.proxy!.counters;
      if (loss > 0) {
        expect(proxy.dropped).toBeGreaterThan(0);
        expect(send.stats.retransmits).toBeGreaterThan(0);
      }
      expect(proxy.duplicated).toBeGreaterThan(0);
      expect(receive.stats.authFailures).toBe(0);
    });
  }
});
