/**
 * Delivery-latency histogram. Buckets grow by 2 % from 10 µs, so a quantile is within 2 % of
 * the true value, the memory is fixed however many deliveries arrive, and merging the workers'
 * histograms is adding arrays (no samples cross the IPC channel).
 */
const BASE_MS = 0.01;
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** 0.01 ms × 1.02^1100 ≈ 28 minutes: nothing a bench run can exceed. */
const BUCKETS = 1100;

/** What travels between processes. */
export interface HistogramData {
  counts: number[];
  count: number;
  max: number;
}

export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  max = 0;

  record(ms: number): void {
    const value = Math.max(ms, 0);
    const index =
      value <= BASE_MS
        ? 0
        : Math.min(BUCKETS - 1, Math.ceil(Math.log(value / BASE_MS) / LOG_GROWTH));
    this.counts[index]! += 1;
    this.count += 1;
    if (value > this.max) this.max = value;
  }

  merge(other: HistogramData): void {
    other.counts.forEach((c, i) => {
      this.counts[i]! += c;
    });
    this.count += other.count;
    if (other.max > this.max) this.max = other.max;
  }

  /** Upper edge of the bucket holding quantile q (0..1); 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = q * this.count;
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return Math.min(BASE_MS * GROWTH ** i, this.max);
    }
    return this.max;
  }

  toJSON(): HistogramData {
    return { counts: Array.from(this.counts), count: this.count, max: this.max };
  }
}
