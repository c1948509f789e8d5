/**
 * A datagram fuzzer aimed at a receiving client mid-transfer: random bytes, mutated and
 * replayed real datagrams, headers with the live transfer's tag from a stranger, all while a
 * file arrives. The file must be intact, every kind of junk counted as dropped, and junk
 * never answered (no reflection or amplification). FUZZ_DATAGRAMS scales it up.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeHeader, MAX_DATAGRAM } from '../../src/transfer/datagram.js';
import {
  type EnginePair,
  enginePair,
  sha256Of,
  startTransfer,
  tempDir,
  writeTestFile,
} from '../helpers/transfer-harness.js';
import { seededRandom } from '../helpers/udp-proxy.js';

const DATAGRAMS = Number(process.env.FUZZ_DATAGRAMS ?? 60_000);

describe('transfer datagram fuzzing', () => {
  let pair: EnginePair | null = null;
  afterEach(async () => {
    await pair?.close();
    pair = null;
  });

  it(`keeps a file intact under ${DATAGRAMS} hostile datagrams and answers none of them`, async () => {
    pair = await enginePair({
      engine: { chunkSize: 4096 },
      impairment: { rateBytesPerSec: 6_000_000 },
    });
    const proxy = pair.proxy!;
    const recorded: Buffer[] = [];
    proxy.tap((from, d) => {
      if (from === 'a' && recorded.length < 500) recorded.push(Buffer.from(d));
    });
    const file = await writeTestFile(await tempDir(), 'target.bin', 6 * 1024 * 1024);
    const t = startTransfer(pair, file, await tempDir());
    const stranger = dgram.createSocket('udp4');
    await new Promise<void>((r) => stranger.bind(0, '127.0.0.1', r));
    const rnd = seededRandom(4242);
    const int = (n: number) => Math.floor(rnd() * n);
    let finished = false;
    void Promise.allSettled([t.send.done, t.receive.done]).then(() => {
      finished = true;
    });
    let sent = 0;
    let sentMidTransfer = 0;
    while (recorded.length < 20) await new Promise((r) => setImmediate(r));
    const tag = recorded[0]!.subarray(4, 12);
    while (sent < DATAGRAMS) {
      for (let i = 0; i < 200 && sent < DATAGRAMS; i++, sent++) {
        if (!finished) sentMidTransfer++;
        const kind = sent % 5;
        const real = recorded[int(recorded.length)]!;
        if (kind === 0) {
          // Random bytes of random length from a stranger.
          const junk = Buffer.alloc(int(1500));
          for (let j = 0; j < junk.length; j++) junk[j] = int(256);
          stranger.send(junk, pair.receiver.port, '127.0.0.1');
        } else if (kind === 1) {
          // A valid-looking header with the live transfer's tag, from a stranger.
          const header = encodeHeader({ type: 2, direction: 0, tag, seq: int(1e9) });
          stranger.send(
            Buffer.concat([header, Buffer.alloc(16 + int(1200))]),
            pair.receiver.port,
            '127.0.0.1',
          );
        } else if (kind === 2) {
          // Real datagrams replayed through the peer's own address.
          proxy.inject('b', real);
        } else {
          // Real datagrams with a few bytes flipped, through the peer's address.
          const bent = Buffer.from(real);
          for (let n = 1 + int(3); n > 0; n--) bent[int(bent.length)]! ^= 1 + int(255);
          proxy.inject('b', bent);
        }
      }
      await new Promise((r) => setImmediate(r));
    }
    const [, got] = await Promise.all([t.send.done, t.receive.done]);
    stranger.close();
    expect(await sha256Of(got.path!)).toBe(file.sha256);
    const engine = pair.receiver.stats;
    const channel = t.receive.stats;
    console.log(
      `udp fuzz: ${sent} datagrams (${sentMidTransfer} mid-transfer); dropped as malformed ${engine.malformed}, ` +
        `unknown transfer ${engine.unknownTransfer}, wrong address ${engine.badAddress}, ` +
        `failed authentication ${channel.authFailures}, replays ${channel.replays}; ` +
        `receiver sent ${channel.datagramsSent} for ${channel.datagramsReceived} authentic`,
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
