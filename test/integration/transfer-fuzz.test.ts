/**
 * A datagram fuzzer aimed at a receiving client mid-transfer: random bytes, mutated and
 * replayed real datagrams, headers with the live transfer's tag from a stranger, all while a
 * file arrives. The file must be intact, every kind of junk counted as dropped, and junk
 * never answered (no reflection or amplification). FUZZ_DATAGRAMS scales it up.
 */
import { describe, expect, it } from 'vitest';
import { MAX_DATAGRAM } from '../../src/transfer/wire/datagram.js';
import {
  enginePairsClosedAfterEach,
  sha256Of,
  startTransfer,
  tempDir,
  writeTestFile,
} from '../helpers/transfer-harness.js';
import { createFlooder, type FloodKind } from '../helpers/udp-flood.js';

const DATAGRAMS = Number(process.env.FUZZ_DATAGRAMS ?? 60_000);

describe('transfer datagram fuzzing', () => {
  const openPair = enginePairsClosedAfterEach();

  it(`keeps a file intact under ${DATAGRAMS} hostile datagrams and answers none of them`, async () => {
    const pair = await openPair({
      engine: { chunkSize: 4096 },
      impairment: { rateBytesPerSec: 6_000_000 },
    });
    const file = await writeTestFile(await tempDir(), 'target.bin', 6 * 1024 * 1024);
    const t = startTransfer(pair, file, await tempDir());
    const flooder = await createFlooder({
      proxy: pair.proxy!,
      receiverPort: pair.receiver.port,
      seed: 4242,
    });
    let finished = false;
    void Promise.allSettled([t.send.done, t.receive.done]).then(() => {
      finished = true;
    });
    let sent = 0;
    let sentMidTransfer = 0;
    await flooder.ready();
    // Random bytes and fake headers from a stranger; replays and bit flips through the peer.
    const kinds: FloodKind[] = ['random', 'fakeHeader', 'peerReplay', 'peerBitFlip', 'peerBitFlip'];
    while (sent < DATAGRAMS) {
      for (let i = 0; i < 200 && sent < DATAGRAMS; i++, sent++) {
        if (!finished) sentMidTransfer++;
        flooder.send(kinds[sent % 5]!);
      }
      await new Promise((r) => setImmediate(r));
    }
    const [, got] = await Promise.all([t.send.done, t.receive.done]);
    flooder.close();
    expect(await sha256Of(got.path!)).toBe(file.sha256);
    const engine = pair.receiver.stats;
    const channel = t.receive.stats;
    console.log(
      `udp fuzz: ${sent} datagrams (${sentMidTransfer} mid-transfer); dropped as malformed ${engine.malformed}, ` +
        `unknown transfer ${engine.unknownTransfer}, wrong address ${engine.badAddress}, ` +
        `failed authentication ${channel.authFailures}, replays ${channel.replays}; ` +
        `receiver sent ${channel.datagramsSent} for ${channel.datagramsReceived} authentic; ` +
        `rate caps: junk cut off unread ${pair.receiver.rateCaps.stats.junkCapped}, ` +
        `peer over cap ${pair.receiver.rateCaps.stats.peerCapped}, replies held back ${pair.receiver.rateCaps.stats.repliesCapped}`,
    );
    expect(sentMidTransfer).toBeGreaterThan(0);
    expect(engine.malformed + engine.unknownTransfer).toBeGreaterThan(0);
    expect(engine.badAddress).toBeGreaterThan(0);
    expect(channel.authFailures).toBeGreaterThan(0);
    expect(channel.replays).toBeGreaterThan(0);
    // Junk is never answered: the receiver's replies track authentic datagrams only.
    expect(channel.datagramsSent).toBeLessThan(channel.datagramsReceived + 50);
    expect(MAX_DATAGRAM).toBe(65507);
  }, 90_000);
});
