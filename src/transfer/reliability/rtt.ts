/**
 * RTT estimate and retransmission time-out, RFC 6298: SRTT/RTTVAR smoothing, RTO floor and
 * ceiling, doubling on each time-out until an acknowledgement makes progress again.
 */
export interface RttConfig {
  initialRtoMs: number;
  minRtoMs: number;
  maxRtoMs: number;
}

// The floor is well above loopback RTTs because a busy Node event loop (GC, disk callbacks)
// delays ACKs by tens of ms; a spurious time-out costs more than a slightly late one.
export const DEFAULT_RTT_CONFIG: RttConfig = { initialRtoMs: 250, minRtoMs: 60, maxRtoMs: 2000 };

export class RttEstimator {
  srtt: number | null = null;
  rttvar = 0;
  minRtt = Number.POSITIVE_INFINITY;
  latest = 0;
  private backoff = 1;

  constructor(private readonly config: RttConfig = DEFAULT_RTT_CONFIG) {}

  /** Feeds one sample in ms (already net of the peer's reported ack delay). */
  sample(rttMs: number): void {
    const rtt = Math.max(0, rttMs);
    this.latest = rtt;
    this.minRtt = Math.min(this.minRtt, rtt);
    if (this.srtt === null) {
      this.srtt = rtt;
      this.rttvar = rtt / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - rtt);
      this.srtt = 0.875 * this.srtt + 0.125 * rtt;
    }
  }

  /** Current time-out in ms, including back-off. */
  get rto(): number {
    const base =
      this.srtt === null ? this.config.initialRtoMs : this.srtt + Math.max(1, 4 * this.rttvar);
    const clamped = Math.min(this.config.maxRtoMs, Math.max(this.config.minRtoMs, base));
    return Math.min(this.config.maxRtoMs, clamped * this.backoff);
  }

  /** Smoothed RTT, or the initial guess before any sample. */
  get smoothed(): number {
    return this.srtt ?? this.config.initialRtoMs / 2;
  }

  onTimeout(): void {
    this.backoff = Math.min(this.backoff * 2, 64);
  }

  onProgress(): void {
    this.backoff = 1;
  }
}
