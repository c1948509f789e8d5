/**
 * The UDP rate caps under a flood: a stranger sprays junk and fake headers at a receiver mid
 * transfer while replayed and bit-flipped datagrams arrive through the real peer's own address.
 * The caps are set low so they engage: the stranger is cut off before decoding, the peer's
 * authenticated datagrams are capped, replies stay under their rate and byte budget, and the
 * file still arrives intact.
 */
import { describe, expect, it } from 'vitest';
import type { RateCapOptions } from '../../src/transfer/net/rate-cap.js';
import {
  enginePairsClosedAfterEach,
  sha256Of,
  startTransfer,
  tempDir,
  writeTestFile,
} from '../helpers/transfer-harness.js';
import { createFlooder, type FloodKind } from '../helpers/udp-flood.js';

const FLOOD = Number(process.env.FUZZ_DATAGRAMS ?? 30_000);
const caps: Partial<RateCapOptions> = {
  peerDatagrams: { perSec: 600, burst: 60 },
  replies: { perSec: 250, burst: 25 },
  replyByteAllowance: 4096,
  junkPerSource: { perSec: 500, burst: 500 },
  junkGlobal: { perSec: 5000, burst: 5000 },
};

describe('UDP rate caps', () => {
  const openPair = enginePairsClosedAfterEach();

  it('engage under a flood mid-transfer without starving the real peer', async () => {
    const pair = await openPair({
      engine: { chunkSize: 4096, rateCaps: caps },
      impairment: { rateBytesPerSec: 8_000_000 },
    });
    const file = await writeTestFile(await tempDir(), 'flooded.bin', 3 * 1024 * 1024);
    const startedAt = performance.now();
    const t = startTransfer(pair, file, await tempDir());
    const flooder = await createFlooder({
      proxy: pair.proxy!,
      receiverPort: pair.receiver.port,
      seed: 99,
      record: 300,
    });
    let finished = false;
    void Promise.allSettled([t.send.done, t.receive.done]).then(() => {
      finished = true;
    });
    await flooder.ready();
    const kinds: FloodKind[] = [
      'random',
      'fakeHeader',
      'strangerReplay',
      'peerReplay',
      'peerBitFlip',
    ];
    let sent = 0;
    let sentMidTransfer = 0;
    while (sent < FLOOD) {
      for (let i = 0; i < 40 && sent < FLOOD; i++, sent++) {
        if (!finished) sentMidTransfer++;
        flooder.send(kinds[sent % 5]!);
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    const [, got] = await Promise.all([t.send.done, t.receive.done]);
    const elapsedSec = (performance.now() - startedAt) / 1000;
    flooder.close();
    expect(await sha256Of(got.path!)).toBe(file.sha256);

    const rc = pair.receiver.rateCaps.stats;
    const channel = t.receive.stats;
    const engine = pair.receiver.stats;
    console.log(
      `rate caps: ${sent} junk datagrams (${sentMidTransfer} mid-transfer), transfer took ${elapsedSec.toFixed(1)} s; junkCapped ${rc.junkCapped}, ` +
        `peerCapped ${rc.peerCapped}, repliesCapped ${rc.repliesCapped}; examined: malformed ${engine.malformed}, ` +
        `unknown ${engine.unknownTransfer}, wrong address ${engine.badAddress}, auth ${channel.authFailures}, ` +
        `replays ${channel.replays}; replies ${rc.repliesSent} (${rc.replyBytesSent} B) for ` +
        `${channel.datagramsReceived} authentic (${rc.authenticatedBytes} B)`,
    );
    expect(sentMidTransfer).toBeGreaterThan(0);
    // The stranger's junk was cut off before decoding once its budget was spent.
    expect(rc.junkCapped).toBeGreaterThan(0);
    // Junk through the peer's own endpoint was still examined (and failed), never pre-dropped.
    expect(channel.authFailures + channel.replays).toBeGreaterThan(0);
    // The peer's authenticated datagrams hit their cap; the file arrived all the same.
    expect(rc.peerCapped).toBeGreaterThan(0);
    // Replies: under the count cap for the time taken, and never more bytes than came in.
    expect(rc.repliesSent).toBeLessThanOrEqual(
      caps.replies!.burst + caps.replies!.perSec * elapsedSec,
    );
    expect(rc.replyBytesSent).toBeLessThanOrEqual(rc.authenticatedBytes + caps.replyByteAllowance!);
    expect(channel.datagramsSent).toBeGreaterThanOrEqual(rc.repliesSent);
  }, 90_000);

  it('do not engage on an honest loopback transfer at their defaults', async () => {
    const pair = await openPair();
    const file = await writeTestFile(await tempDir(), 'honest.bin', 64 * 1024 * 1024);
    const t = startTransfer(pair, file, await tempDir());
    const [, got] = await Promise.all([t.send.done, t.receive.done]);
    expect(await sha256Of(got.path!)).toBe(file.sha256);
    for (const engine of [pair.sender, pair.receiver]) {
      expect(engine.rateCaps.stats).toMatchObject({
        junkCapped: 0,
        peerCapped: 0,
        repliesCapped: 0,
      });
    }
    expect(pair.receiver.rateCaps.stats.repliesSent).toBeGreaterThan(0);
  }, 60_000);
});
