/**
 * Token bucket that spreads datagrams over time at the controller's rate. Tokens may go
 * negative by one datagram so a chunk larger than the bucket still goes out; the bucket holds
 * a few milliseconds of rate because Node timers wake 1–4 ms late.
 */
export class Pacer {
  private tokens = 0;
  private last: number;

  constructor(
    now: number,
    private readonly burstMs = 4,
  ) {
    this.last = now;
  }

  refill(now: number, rate: number, minBurst: number): void {
    const cap = Math.max(minBurst, (rate * this.burstMs) / 1000);
    this.tokens = Math.min(cap, this.tokens + (rate * Math.max(0, now - this.last)) / 1000);
    this.last = now;
  }

  get ready(): boolean {
    return this.tokens > 0;
  }

  consume(bytes: number): void {
    this.tokens -= bytes;
  }

  /** Milliseconds until the bucket is positive again. */
  waitMs(rate: number): number {
    return this.tokens > 0 ? 0 : (-this.tokens * 1000) / rate;
  }
}
