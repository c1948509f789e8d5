/**
 * Hostile datagrams aimed at a receiver mid-transfer, shared by the datagram fuzzer and the
 * rate-cap flood test: random bytes and fake headers from a stranger's socket, real datagrams
 * replayed by the stranger, and replayed or bit-flipped real datagrams sent through the
 * impairment proxy so they come from the real peer's own endpoint.
 */
import dgram from 'node:dgram';
import { encodeHeader } from '../../src/transfer/wire/datagram.js';
import { seededRandom, type UdpProxy } from './udp-proxy.js';

export type FloodKind = 'random' | 'fakeHeader' | 'strangerReplay' | 'peerReplay' | 'peerBitFlip';

export interface Flooder {
  /** Waits until enough of the sender's datagrams are recorded to copy the live tag. */
  ready(): Promise<void>;
  send(kind: FloodKind): void;
  close(): void;
}

export async function createFlooder(options: {
  proxy: UdpProxy;
  receiverPort: number;
  seed: number;
  /** How many of the sender's datagrams to keep for replays. */
  record?: number;
}): Promise<Flooder> {
  const { proxy, receiverPort } = options;
  const recorded: Buffer[] = [];
  const keep = options.record ?? 500;
  proxy.tap((from, d) => {
    if (from === 'a' && recorded.length < keep) recorded.push(Buffer.from(d));
  });
  const stranger = dgram.createSocket('udp4');
  await new Promise<void>((r) => stranger.bind(0, '127.0.0.1', r));
  const rnd = seededRandom(options.seed);
  const int = (n: number) => Math.floor(rnd() * n);
  let tag: Buffer = Buffer.alloc(8);
  const toReceiver = (d: Buffer) => stranger.send(d, receiverPort, '127.0.0.1');
  return {
    async ready() {
      while (recorded.length < 20) await new Promise((r) => setImmediate(r));
      tag = recorded[0]!.subarray(4, 12);
    },
    send(kind) {
      const real = recorded[int(recorded.length)]!;
      if (kind === 'random') {
        const junk = Buffer.alloc(int(1500));
        for (let j = 0; j < junk.length; j++) junk[j] = int(256);
        toReceiver(junk);
      } else if (kind === 'fakeHeader') {
        // A valid-looking header with the live transfer's tag, from a stranger.
        const header = encodeHeader({ type: 2, direction: 0, tag, seq: int(1e9) });
        toReceiver(Buffer.concat([header, Buffer.alloc(16 + int(1200))]));
      } else if (kind === 'strangerReplay') {
        toReceiver(real);
      } else if (kind === 'peerReplay') {
        proxy.inject('b', real);
      } else {
        const bent = Buffer.from(real);
        for (let n = 1 + int(3); n > 0; n--) bent[int(bent.length)]! ^= 1 + int(255);
        proxy.inject('b', bent);
      }
    },
    close() {
      stranger.close();
    },
  };
}
