/**
 * Throttled progress with a smoothed rate and an ETA. Pure apart from the callback; the
 * caller passes `now`.
 */
import type { TransferProgress } from './types.js';

export class ProgressMeter {
  private lastEmit = Number.NEGATIVE_INFINITY;
  private lastBytes = 0;
  private lastAt: number;
  private rate = 0;

  constructor(
    private readonly transferId: string,
    private readonly total: number,
    now: number,
    private readonly emit: (p: TransferProgress) => void,
    private readonly intervalMs = 200,
  ) {
    this.lastAt = now;
  }

  /** Reports `bytes` done so far; emits at most once per interval unless `force`. */
  update(bytes: number, now: number, force = false): void {
    if (!force && now - this.lastEmit < this.intervalMs) return;
    const dt = (now - this.lastAt) / 1000;
    if (dt > 0) {
      const instant = Math.max(0, bytes - this.lastBytes) / dt;
      // EWMA so one slow interval does not swing the ETA wildly.
      this.rate = this.rate === 0 ? instant : 0.7 * this.rate + 0.3 * instant;
    }
    this.lastBytes = bytes;
    this.lastAt = now;
    this.lastEmit = now;
    const left = this.total - bytes;
    const eta = left <= 0 ? 0 : this.rate > 0 ? left / this.rate : null;
    this.emit({ transferId: this.transferId, bytes, total: this.total, rate: this.rate, eta });
  }
}
