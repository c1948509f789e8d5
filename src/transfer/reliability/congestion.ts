/**
 * Rate-based congestion control after BBR (Cardwell et al., 2016), in rate terms only:
 *  - every ACK yields a delivery-rate sample (bytes delivered between a chunk's send and its
 *    ACK over the longer of the send and ACK intervals, so ACK bursts do not inflate it); the
 *    bottleneck estimate is the max over the last `filterRounds` rounds (≥ one RTT, ≥ 15 ms);
 *  - start-up paces at 2.5× the estimate until it stops growing by 25 % for three rounds,
 *    drains one round at 0.75×, then cycles gains 1.25, 0.75, 1 × 6 to probe for more and
 *    drain what the probe queued;
 *  - random loss does not lower the estimate (a lossy link keeps its rate); sustained heavy
 *    loss (two rounds above `heavyLoss`) or repeated time-outs cut it by 30 %.
 * A loss-based AIMD would collapse to a trickle at 5–20 % random loss, and a delay-based one
 * mistakes a busy Node event loop for a queue.
 */
export interface RateConfig {
  initialRate: number;
  minRate: number;
  maxRate: number;
  minRoundMs: number;
  filterRounds: number;
  /** Loss fraction of a round that counts as heavy. */
  heavyLoss: number;
  /**
   * In-flight ceiling in bytes, whatever the estimate says: the peer's socket buffer (4 MiB
   * asked, about 8 MB of 60 KB datagrams counted with kernel overhead) is the one queue a busy
   * receiver has, and data beyond it is lost whenever its event loop stalls. Like TCP's receive
   * window, this caps a long fat path at 4 MiB per round trip (e.g. 40 MB/s at 100 ms).
   */
  maxInFlight: number;
}

export const DEFAULT_RATE_CONFIG: RateConfig = {
  initialRate: 8 * 1024 * 1024,
  minRate: 64 * 1024,
  maxRate: 4 * 1024 * 1024 * 1024,
  minRoundMs: 15,
  filterRounds: 10,
  heavyLoss: 0.35,
  maxInFlight: 4 * 1024 * 1024,
};

const STARTUP_GAIN = 2.5;
const CYCLE = [1.25, 0.75, 1, 1, 1, 1, 1, 1];
/** A probe round (gain 1.25) that raised the estimate this much sends start-up searching again. */
const PROBE_GROWTH = 1.15;

export interface RoundInfo {
  ms: number;
  deliveredRate: number;
  lossFraction: number;
  minRtt: number;
  bandwidth: number;
  rate: number;
}

export interface RateStats {
  rounds: number;
  lossBackoffs: number;
  timeoutBackoffs: number;
}

export class RateController {
  /** Pacing rate in bytes per second. */
  rate: number;
  mode: 'startup' | 'drain' | 'cruise' = 'startup';
  minRtt = Number.POSITIVE_INFINITY;
  readonly stats: RateStats = { rounds: 0, lossBackoffs: 0, timeoutBackoffs: 0 };
  /** Diagnostics: called at the end of every round with what it measured. */
  onRound: ((round: RoundInfo) => void) | null = null;
  private readonly samples: Float64Array;
  private sampleIndex = 0;
  private roundStart: number;
  private acked = 0;
  private lost = 0;
  private roundMinRtt = Number.POSITIVE_INFINITY;
  private heavyRounds = 0;
  private timeoutsInRow = 0;
  private plateauRounds = 0;
  private plateauBase = 0;
  private cycleIndex = 0;
  private cycleBase = 0;
  private probeBase = 0;
  private roundMaxRate = 0;

  constructor(
    now: number,
    private readonly config: RateConfig = DEFAULT_RATE_CONFIG,
  ) {
    this.rate = config.initialRate;
    this.roundStart = now;
    this.samples = new Float64Array(config.filterRounds);
  }

  /** The bottleneck bandwidth estimate in bytes per second (0 before the first round). */
  get bandwidth(): number {
    let max = 0;
    for (const s of this.samples) if (s > max) max = s;
    return max;
  }

  onSent(_bytes: number): void {}

  onLoss(bytes: number): void {
    this.lost += bytes;
  }

  /**
   * An acknowledgement: bytes newly acknowledged, the delivery-rate sample it yielded (bytes/s,
   * 0 for none) and, when measured, an RTT sample in ms.
   */
  onAck(
    now: number,
    bytes: number,
    rateSample: number,
    rttMs: number | null,
    srttMs: number,
  ): void {
    this.acked += bytes;
    if (rateSample > this.roundMaxRate) this.roundMaxRate = rateSample;
    if (bytes > 0) this.timeoutsInRow = 0;
    if (rttMs !== null) {
      this.roundMinRtt = Math.min(this.roundMinRtt, rttMs);
      this.minRtt = Math.min(this.minRtt, rttMs);
    }
    if (now - this.roundStart >= Math.max(this.config.minRoundMs, srttMs)) this.endRound(now);
  }

  /** A retransmission time-out; the second in a row (the path went quiet) cuts the rate. */
  onTimeout(): void {
    this.timeoutsInRow++;
    if (this.timeoutsInRow < 2) return;
    this.scaleEstimate(0.5);
    this.stats.timeoutBackoffs++;
  }

  /** Bytes allowed in flight: twice the rate over the base RTT plus slack for a busy loop. */
  windowBytes(_srttMs: number, chunkBytes: number): number {
    const rtt = (Number.isFinite(this.minRtt) ? this.minRtt : 0) + 15;
    // Sized on the measured bandwidth, not the start-up pacing rate (2.5× of it): start-up
    // then cannot pile several BDPs into a shallow bottleneck queue before it sees the loss.
    const bw = this.bandwidth > 0 ? Math.min(this.rate, this.bandwidth) : this.rate;
    return Math.min(this.config.maxInFlight, Math.max(16 * chunkBytes, (2 * bw * rtt) / 1000));
  }

  private scaleEstimate(factor: number): void {
    for (let i = 0; i < this.samples.length; i++) this.samples[i]! *= factor;
    this.rate = Math.max(this.config.minRate, this.rate * factor);
    if (this.mode === 'startup') this.mode = 'cruise';
  }

  private endRound(now: number): void {
    const ms = now - this.roundStart;
    const delivered = this.roundMaxRate;
    const total = this.acked + this.lost;
    const lossFraction = total > 0 ? this.lost / total : 0;
    this.samples[this.sampleIndex++ % this.samples.length] = delivered;
    this.stats.rounds++;
    const bw = this.bandwidth;
    this.heavyRounds = lossFraction > this.config.heavyLoss ? this.heavyRounds + 1 : 0;
    if (this.heavyRounds >= 2) {
      this.heavyRounds = 0;
      this.scaleEstimate(0.7);
      this.stats.lossBackoffs++;
    } else if (this.mode === 'startup') {
      if (bw >= this.plateauBase * 1.25) {
        this.plateauBase = bw;
        this.plateauRounds = 0;
      } else if (delivered > 0 && ++this.plateauRounds >= 3) {
        // Only rounds that measured something count: an early round without samples is noise.
        this.mode = 'drain';
      }
    } else if (this.mode === 'drain') {
      this.mode = 'cruise';
      this.cycleIndex = 1;
      this.cycleBase = bw;
    } else {
      const probed = CYCLE[this.cycleIndex]! > 1;
      this.cycleIndex = (this.cycleIndex + 1) % CYCLE.length;
      if (probed && bw >= this.probeBase * PROBE_GROWTH) {
        // The probe was delivered almost in full: the path (or a receiver whose code just got
        // warm) has more to give than one probe per cycle would find in time; search upwards.
        this.mode = 'startup';
        this.plateauBase = bw;
        this.plateauRounds = 0;
      } else if (this.cycleIndex === 0) {
        // A whole gain cycle grew the estimate by half: start-up left too early (noisy
        // samples), so search upwards quickly again.
        if (bw >= this.cycleBase * 1.5) {
          this.mode = 'startup';
          this.plateauBase = bw;
          this.plateauRounds = 0;
        }
        this.cycleBase = bw;
      }
    }
    if (this.mode === 'cruise' && CYCLE[this.cycleIndex]! > 1) this.probeBase = bw;
    const gain =
      this.mode === 'startup'
        ? STARTUP_GAIN
        : this.mode === 'drain'
          ? 0.75
          : CYCLE[this.cycleIndex]!;
    // Before the first sample the estimate is unknown; start-up then grows from the initial rate.
    const base = bw > 0 ? bw : this.rate;
    const { minRate, maxRate } = this.config;
    this.rate = Math.min(maxRate, Math.max(minRate, gain * base));
    this.onRound?.({
      ms,
      deliveredRate: delivered,
      lossFraction,
      minRtt: this.roundMinRtt,
      bandwidth: bw,
      rate: this.rate,
    });
    this.roundStart = now;
    this.acked = 0;
    this.lost = 0;
    this.roundMinRtt = Number.POSITIVE_INFINITY;
    this.roundMaxRate = 0;
  }
}
