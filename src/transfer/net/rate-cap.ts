/**
 * Per-peer UDP rate caps, arranged so that a spoofer cannot throttle the real peer.
 *
 * Three budgets, all token buckets on the engine's injected clock:
 * - Authenticated datagrams per peer endpoint (address:port). Only datagrams that pass
 *   authentication and the replay check take a token, so a spoofer cannot drain it; when it is
 *   empty the peer's datagrams are dropped before the AES-GCM open (`peerCapped`).
 * - Replies per peer endpoint: datagrams a receiver sends toward a sender (ACK, DONE, ABORT are
 *   all answers). At most `replies.perSec` a second, and never more bytes in all than the peer
 *   sent us in authenticated datagrams plus `replyByteAllowance` (one large ACK), so the client
 *   is never an amplifier, even for a peer holding the key (`repliesCapped`).
 * - Junk: datagrams that fail a check (header, transfer tag, address, authentication, replay)
 *   take a token from their source address's bucket and from a global one. Once either is
 *   empty, datagrams from that source are dropped before the header is even decoded
 *   (`junkCapped`), except from the exact endpoint of a running transfer's peer: those always
 *   go on to the cheap checks and the authentication that tells them apart, so junk sent with
 *   the peer's spoofed address cannot starve the peer's authentic datagrams.
 */
import { canonicalAddress, type DatagramSocket, type Peer } from './udp-socket.js';

/** A token bucket: `perSec` tokens a second, holding at most `burst`. */
export interface BucketRate {
  perSec: number;
  burst: number;
}

export interface RateCapOptions {
  /** Authenticated datagrams accepted from one peer endpoint. */
  peerDatagrams: BucketRate;
  /** Replies sent to one peer endpoint. */
  replies: BucketRate;
  /** Reply bytes a peer may get beyond the authenticated bytes it sent. */
  replyByteAllowance: number;
  /** Failed datagrams examined from one source address. */
  junkPerSource: BucketRate;
  /** Failed datagrams examined from all sources together. */
  junkGlobal: BucketRate;
  /** Source addresses and peer endpoints remembered; the oldest is forgotten past this. */
  maxTracked: number;
}

/**
 * Generous: the loopback benchmark (about 280 MB/s in 60 KiB chunks) moves about 5 000
 * datagrams a second and is answered by one ACK per 16, far below these caps.
 */
export const DEFAULT_RATE_CAPS: Readonly<RateCapOptions> = Object.freeze({
  peerDatagrams: { perSec: 100_000, burst: 20_000 },
  replies: { perSec: 20_000, burst: 2_000 },
  replyByteAllowance: 4096,
  junkPerSource: { perSec: 2_000, burst: 4_000 },
  junkGlobal: { perSec: 20_000, burst: 40_000 },
  maxTracked: 4096,
});

export interface RateCapStats {
  /** Dropped before decoding: the source's (or the global) junk budget was spent. */
  junkCapped: number;
  /** Dropped before authentication: the peer sent more than its cap. */
  peerCapped: number;
  /** Replies not sent: over the count cap or the byte budget. */
  repliesCapped: number;
  repliesSent: number;
  replyBytesSent: number;
  /** Bytes of datagrams that authenticated, from all peers. */
  authenticatedBytes: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: BucketRate,
    now: number,
  ) {
    this.tokens = rate.burst;
    this.last = now;
  }

  /** Tokens available at `now` (ms). */
  available(now: number): number {
    if (now > this.last) {
      this.tokens = Math.min(
        this.rate.burst,
        this.tokens + ((now - this.last) * this.rate.perSec) / 1000,
      );
      this.last = now;
    }
    return this.tokens;
  }

  /** Takes `cost` tokens if there are that many; false (and nothing taken) otherwise. */
  take(now: number, cost = 1): boolean {
    if (this.available(now) < cost) return false;
    this.tokens -= cost;
    return true;
  }
}

interface PeerRecord {
  datagrams: TokenBucket;
  replies: TokenBucket;
  bytesIn: number;
  bytesOut: number;
}

/** Checks `options` and fills in defaults; throws a RangeError naming a bad value. */
export function rateCapOptions(options: Partial<RateCapOptions> = {}): RateCapOptions {
  const merged: RateCapOptions = { ...DEFAULT_RATE_CAPS, ...options };
  for (const key of ['peerDatagrams', 'replies', 'junkPerSource', 'junkGlobal'] as const) {
    const { perSec, burst } = merged[key];
    if (!(perSec > 0 && burst >= 1 && Number.isFinite(perSec) && Number.isFinite(burst))) {
      throw new RangeError(`rate cap ${key}: perSec must be > 0 and burst >= 1`);
    }
  }
  if (!(merged.replyByteAllowance >= 0) || !(merged.maxTracked >= 1)) {
    throw new RangeError('rate caps: replyByteAllowance must be >= 0 and maxTracked >= 1');
  }
  return merged;
}

/** One endpoint spelling for buckets, as the engine's address check sees it. */
export function endpointKey(address: string, port: number): string {
  return `${canonicalAddress(address)}:${port}`;
}

export class RateCaps {
  readonly stats: RateCapStats = {
    junkCapped: 0,
    peerCapped: 0,
    repliesCapped: 0,
    repliesSent: 0,
    replyBytesSent: 0,
    authenticatedBytes: 0,
  };
  readonly options: RateCapOptions;
  private readonly sources = new Map<string, TokenBucket>();
  private readonly peers = new Map<string, PeerRecord>();
  private readonly global: TokenBucket;

  /**
   * @param clock milliseconds, the engine's clock
   * @param isPeer whether `from` is the exact endpoint of a running transfer's peer
   */
  constructor(
    options: Partial<RateCapOptions> | undefined,
    private readonly clock: { now(): number },
    private readonly isPeer: (from: Peer) => boolean,
  ) {
    this.options = rateCapOptions(options);
    this.global = new TokenBucket(this.options.junkGlobal, clock.now());
  }

  /** First thing for every datagram: false drops it unread (junk budget spent). */
  examine(from: Peer): boolean {
    const now = this.clock.now();
    const source = this.sources.get(from.address);
    if ((source === undefined || source.available(now) >= 1) && this.global.available(now) >= 1) {
      return true;
    }
    if (this.isPeer(from)) return true;
    this.stats.junkCapped++;
    return false;
  }

  /** A datagram from `from` failed a check: charge the junk budgets. */
  junk(from: Peer): void {
    const now = this.clock.now();
    let source = this.sources.get(from.address);
    if (!source) {
      source = new TokenBucket(this.options.junkPerSource, now);
      remember(this.sources, from.address, source, this.options.maxTracked);
    }
    source.take(now);
    this.global.take(now);
  }

  /** Before authenticating a datagram from a transfer's peer: false drops it (over its cap). */
  admitPeer(from: Peer): boolean {
    const record = this.peers.get(endpointKey(from.address, from.port));
    if (!record || record.datagrams.available(this.clock.now()) >= 1) return true;
    this.stats.peerCapped++;
    return false;
  }

  /** After the transfer looked at the datagram: authentic ones take the peer's token. */
  settle(from: Peer, bytes: number, authentic: boolean): void {
    if (!authentic) {
      this.junk(from);
      return;
    }
    const record = this.peer(endpointKey(from.address, from.port));
    record.datagrams.take(this.clock.now());
    record.bytesIn += bytes;
    this.stats.authenticatedBytes += bytes;
  }

  /** Whether a reply of `bytes` to `address:port` may go now; charges it if so. */
  allowReply(address: string, port: number, bytes: number): boolean {
    const record = this.peer(endpointKey(address, port));
    const withinBytes = record.bytesOut + bytes <= record.bytesIn + this.options.replyByteAllowance;
    if (!withinBytes || !record.replies.take(this.clock.now())) {
      this.stats.repliesCapped++;
      return false;
    }
    record.bytesOut += bytes;
    this.stats.repliesSent++;
    this.stats.replyBytesSent += bytes;
    return true;
  }

  /**
   * The socket transfers send through: datagrams toward a sender (header direction 1) are
   * replies and pass allowReply; the sender's own datagrams (HELLO, DATA, POLL) are not
   * answers to anything and are paced by its congestion controller instead.
   */
  guardReplies(socket: DatagramSocket): DatagramSocket {
    return {
      port: socket.port,
      send: (parts, port, address) => {
        if (parts[0]?.[3] === 1) {
          let bytes = 0;
          for (const part of parts) bytes += part.length;
          if (!this.allowReply(address, port, bytes)) return;
        }
        socket.send(parts, port, address);
      },
      onMessage: (handler) => socket.onMessage(handler),
      close: () => socket.close(),
    };
  }

  private peer(key: string): PeerRecord {
    let record = this.peers.get(key);
    if (!record) {
      const now = this.clock.now();
      record = {
        datagrams: new TokenBucket(this.options.peerDatagrams, now),
        replies: new TokenBucket(this.options.replies, now),
        bytesIn: 0,
        bytesOut: 0,
      };
      remember(this.peers, key, record, this.options.maxTracked);
    }
    return record;
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  if (map.size >= max) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.set(key, value);
}
