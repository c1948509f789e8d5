/**
 * A set of byte ranges [start, end), kept sorted and merged. The receiver records here what
 * is safely written to the `.part` file; the sidecar stores it for resume. Pure.
 */
export type Range = [start: number, end: number];

export class RangeSet {
  private ranges: Range[] = [];

  static from(ranges: readonly Range[]): RangeSet {
    const set = new RangeSet();
    for (const [start, end] of ranges) set.add(start, end);
    return set;
  }

  add(start: number, end: number): void {
    if (!(end > start)) return;
    const rs = this.ranges;
    // Fast path: appending at or after the last range, the common in-order case.
    const last = rs[rs.length - 1];
    if (!last || start > last[1]) {
      rs.push([start, end]);
      return;
    }
    if (start >= last[0]) {
      last[1] = Math.max(last[1], end);
      return;
    }
    let lo = 0;
    while (lo < rs.length && rs[lo]![1] < start) lo++;
    let hi = lo;
    let s = start;
    let e = end;
    while (hi < rs.length && rs[hi]![0] <= e) {
      s = Math.min(s, rs[hi]![0]);
      e = Math.max(e, rs[hi]![1]);
      hi++;
    }
    rs.splice(lo, hi - lo, [s, e]);
  }

  /** True when [start, end) lies inside one held range. */
  covers(start: number, end: number): boolean {
    if (end <= start) return true;
    for (const [s, e] of this.ranges) {
      if (s <= start && end <= e) return true;
      if (s > start) return false;
    }
    return false;
  }

  /** Bytes held in total. */
  get bytes(): number {
    let sum = 0;
    for (const [s, e] of this.ranges) sum += e - s;
    return sum;
  }

  /** End of the contiguous run starting at 0. */
  get prefix(): number {
    const first = this.ranges[0];
    return first && first[0] === 0 ? first[1] : 0;
  }

  toJSON(): Range[] {
    return this.ranges.map(([s, e]) => [s, e]);
  }
}
