/**
 * Byte-rate caps of the relay: token buckets refilled from an injected clock, one per sending
 * user and one for the whole server. Over the cap a datagram is dropped, not queued: the
 * transfer engine reads the loss and its congestion control backs off, so the relay holds no
 * buffer that could grow.
 */
import type { TimeSource } from '../../util/clock.js';

/** How many seconds of the rate a bucket holds: room for a paced burst, not a flood. */
export const BURST_SECONDS = 0.25;
/** A bucket always holds at least one largest datagram, so a slow cap still passes traffic. */
const MIN_BURST_BYTES = 64 * 1024;

/** Refills `ratePerSec` bytes per second up to a quarter second's worth. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly capacity: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly clock: TimeSource,
  ) {
    this.capacity = Math.max(MIN_BURST_BYTES, ratePerSec * BURST_SECONDS);
    this.tokens = this.capacity;
    this.last = clock.now();
  }

  /** Takes `bytes` if the bucket holds them; false (and nothing taken) otherwise. */
  take(bytes: number): boolean {
    this.refill();
    if (this.tokens < bytes) return false;
    this.tokens -= bytes;
    return true;
  }

  /** Puts back what take() took, when a later cap refused the same datagram. */
  give(bytes: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + bytes);
  }

  private refill(): void {
    const now = this.clock.now();
    if (now <= this.last) return;
    this.tokens = Math.min(
      this.capacity,
      this.tokens + ((now - this.last) / 1000) * this.ratePerSec,
    );
    this.last = now;
  }
}

export interface RelayCapOptions {
  /** Bytes per second one user may send through the relay, all their transfers together. */
  readonly userBytesPerSec: number;
  /** Bytes per second the relay forwards in total. */
  readonly totalBytesPerSec: number;
}

/**
 * 32 MiB/s (about 270 Mbit/s) per user is above most home and campus uplinks, so a real
 * transfer is not slowed, yet one user can take at most a quarter of the total. 128 MiB/s
 * total is about 1 Gbit/s, a typical server's line rate, and near what one Node event loop
 * forwards (~100k datagrams/s of 1.2 KB): past it the server would drop at random anyway.
 */
export const DEFAULT_RELAY_CAPS: RelayCapOptions = Object.freeze({
  userBytesPerSec: 32 * 2 ** 20,
  totalBytesPerSec: 128 * 2 ** 20,
});

/** The per-user buckets and the total one; a user's bucket goes when they stop relaying. */
export class RelayCaps {
  private readonly users = new Map<string, TokenBucket>();
  private readonly total: TokenBucket;

  constructor(
    private readonly options: RelayCapOptions,
    private readonly clock: TimeSource,
  ) {
    this.total = new TokenBucket(options.totalBytesPerSec, clock);
  }

  /** Whether `user` may send `bytes` now; takes them from both buckets if so. */
  allow(user: string, bytes: number): boolean {
    let bucket = this.users.get(user);
    if (!bucket) {
      bucket = new TokenBucket(this.options.userBytesPerSec, this.clock);
      this.users.set(user, bucket);
    }
    if (!bucket.take(bytes)) return false;
    if (this.total.take(bytes)) return true;
    bucket.give(bytes);
    return false;
  }

  /** Forgets a user's bucket (their last relayed transfer closed). */
  forget(user: string): void {
    this.users.delete(user);
  }
}
