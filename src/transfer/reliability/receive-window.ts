/**
 * The receiver's view of which chunks arrived, and the selective ACK it sends back:
 * a cumulative point plus a bitmap of up to 8192 chunks beyond it. Pure.
 */

import { MAX_BITMAP_BYTES } from '../wire/messages.js';
import { Bitset } from './bitset.js';

export class ReceiveWindow {
  readonly received: Bitset;
  /** First chunk not yet received. */
  cum = 0;
  /** Highest chunk received (-1 before any). */
  highest = -1;

  constructor(
    readonly total: number,
    private readonly maxBitmapBytes = MAX_BITMAP_BYTES,
  ) {
    this.received = new Bitset(total);
  }

  get complete(): boolean {
    return this.received.count === this.total;
  }

  /** Chunks beyond cum an ACK can describe; the sender keeps its window inside this. */
  get span(): number {
    return this.maxBitmapBytes * 8;
  }

  /** 'new' for a first arrival, 'duplicate' when already held, 'invalid' out of range. */
  add(chunk: number): 'new' | 'duplicate' | 'invalid' {
    if (chunk < 0 || chunk >= this.total) return 'invalid';
    if (!this.received.add(chunk)) return 'duplicate';
    if (chunk > this.highest) this.highest = chunk;
    if (chunk === this.cum) this.cum = this.received.nextClear(chunk);
    return 'new';
  }

  /** Marks as held every chunk wholly inside the byte ranges (written by an earlier attempt). */
  markHeld(
    ranges: ReadonlyArray<readonly [number, number]>,
    chunkSize: number,
    size: number,
  ): void {
    for (const [start, end] of ranges) {
      const first = Math.ceil(start / chunkSize);
      // The last chunk is short: a range reaching the end of the file covers it.
      const stop = end === size ? this.total : Math.floor(end / chunkSize);
      for (let c = first; c < stop; c++) this.add(c);
    }
  }

  /** Forgets a chunk whose bytes could not be kept (write back-pressure); it will be resent. */
  remove(chunk: number): void {
    if (!this.received.delete(chunk)) return;
    if (chunk < this.cum) this.cum = chunk;
  }

  /** True when a chunk beyond cum is held, i.e. the sender should hear about a hole soon. */
  get hasGap(): boolean {
    return this.highest > this.cum;
  }

  /** The bitmap for an ACK: bit i set = chunk cum + 1 + i held. */
  bitmap(): Buffer {
    const last = Math.min(this.highest, this.cum + this.maxBitmapBytes * 8);
    if (last <= this.cum) return Buffer.alloc(0);
    const bits = last - this.cum;
    const out = Buffer.alloc(Math.ceil(bits / 8));
    for (let i = 0; i < bits; i++) {
      if (this.received.has(this.cum + 1 + i)) out[i >>> 3]! |= 1 << (i & 7);
    }
    return out;
  }
}
