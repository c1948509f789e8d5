/** A fixed-size set of chunk indices; one bit each, so a 100 GiB file at 1200 B costs 11 MB. */
export class Bitset {
  private readonly bytes: Uint8Array;
  private population = 0;

  constructor(readonly size: number) {
    this.bytes = new Uint8Array(Math.ceil(size / 8));
  }

  has(i: number): boolean {
    return i >= 0 && i < this.size && (this.bytes[i >>> 3]! & (1 << (i & 7))) !== 0;
  }

  /** Adds i; false when it was already there or out of range. */
  add(i: number): boolean {
    if (i < 0 || i >= this.size || this.has(i)) return false;
    this.bytes[i >>> 3]! |= 1 << (i & 7);
    this.population++;
    return true;
  }

  delete(i: number): boolean {
    if (!this.has(i)) return false;
    this.bytes[i >>> 3]! &= ~(1 << (i & 7));
    this.population--;
    return true;
  }

  get count(): number {
    return this.population;
  }

  /** First index >= from that is not in the set (size when none). */
  nextClear(from: number): number {
    let i = Math.max(0, from);
    while (i < this.size) {
      if ((i & 7) === 0 && this.bytes[i >>> 3] === 0xff) {
        i += 8;
        continue;
      }
      if (!this.has(i)) return i;
      i++;
    }
    return this.size;
  }
}
