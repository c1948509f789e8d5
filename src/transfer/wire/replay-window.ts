/**
 * Sliding anti-replay window over packet sequence numbers (as in IPsec, RFC 4303 §3.4.3),
 * checked only after a datagram authenticated so a forgery cannot move it.
 * Wide, because a reordering path can deliver thousands of datagrams out of order at speed.
 */
export class ReplayWindow {
  private highest = -1;
  private readonly bits: Uint32Array;

  constructor(private readonly size = 1 << 16) {
    this.bits = new Uint32Array(size / 32);
  }

  /** True when seq is new and now recorded; false for a replay or a too-old datagram. */
  accept(seq: number): boolean {
    if (seq > this.highest) {
      const advance = seq - this.highest;
      if (advance >= this.size || this.highest < 0) {
        this.bits.fill(0);
      } else {
        for (let s = this.highest + 1; s < seq; s++) this.clear(s);
      }
      this.highest = seq;
      this.set(seq);
      return true;
    }
    if (this.highest - seq >= this.size) return false;
    if (this.has(seq)) return false;
    this.set(seq);
    return true;
  }

  private has(seq: number): boolean {
    const i = seq % this.size;
    return (this.bits[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  private set(seq: number): void {
    const i = seq % this.size;
    this.bits[i >>> 5]! |= 1 << (i & 31);
  }

  private clear(seq: number): void {
    const i = seq % this.size;
    this.bits[i >>> 5]! &= ~(1 << (i & 31));
  }
}
