/**
 * Rate-based congestion control. Once per round (≥ one RTT) it looks at what the round
 * delivered, what it lost and the smallest RTT it saw:
 *  - queueing (two rounds whose minimum RTT stands well above the base RTT) means the path or
 *    the receiver cannot keep up: drop to about what was delivered (−15 % to −50 %);
 *  - sustained heavy loss (two rounds above `heavyLoss`) backs off by 30 %;
 *  - otherwise, if the sender used its rate, grow: ×2 per round in start-up; after a back-off
 *    ×1.25 until 90 % of the rate where trouble began, then ×1.05.
 * Random loss below `heavyLoss` alone never lowers the rate, so a lossy link is not starved
 * (loss-based AIMD would collapse to a trickle at 5–20 % random loss).
 */
export interface RateConfig {
  initialRate: number;
  minRate: number;
  maxRate: number;
  minRoundMs: number;
  /** Queueing delay (ms above the base RTT) that counts as congestion. */
  queueDelayMs: number;
  /** Loss fraction of a round that counts as heavy. */
  heavyLoss: number;
  /** How long a base RTT sample stays valid before it is re-learnt. */
  baseRttWindowMs: number;
}

export const DEFAULT_RATE_CONFIG: RateConfig = {
  initialRate: 2 * 1024 * 1024,
  minRate: 64 * 1024,
  maxRate: 2 * 1024 * 1024 * 1024,
  minRoundMs: 10,
  queueDelayMs: 4,
  heavyLoss: 0.35,
  baseRttWindowMs: 10_000,
};

export interface RoundInfo {
  ms: number;
  deliveredRate: number;
  lossFraction: number;
  minRtt: number;
  baseRtt: number;
  rate: number;
}

export interface RateStats {
  increases: number;
  queueBackoffs: number;
  lossBackoffs: number;
  timeoutBackoffs: number;
}

export class RateController {
  /** Pacing rate in bytes per second. */
  rate: number;
  mode: 'startup' | 'steady' = 'startup';
  baseRtt = Number.POSITIVE_INFINITY;
  readonly stats: RateStats = {
    increases: 0,
    queueBackoffs: 0,
    lossBackoffs: 0,
    timeoutBackoffs: 0,
  };
  private baseRttAt = 0;
  private roundStart: number;
  private acked = 0;
  private lost = 0;
  private sent = 0;
  private roundMinRtt = Number.POSITIVE_INFINITY;
  private heavyRounds = 0;
  private hold = 0;
  private timeoutsInRow = 0;
  private queueRounds = 0;
  private lastMax = 0;
  // Recent rounds' delivery rates: one round is noisy (ACKs come in bursts), the max of a few
  // is what the path can carry (BBR's bottleneck-bandwidth filter).
  private readonly delivered = new Float64Array(8);
  private roundIndex = 0;
  /** Diagnostics: called at the end of every round with what it measured. */
  onRound: ((round: RoundInfo) => void) | null = null;

  constructor(
    now: number,
    private readonly config: RateConfig = DEFAULT_RATE_CONFIG,
  ) {
    this.rate = config.initialRate;
    this.roundStart = now;
  }

  onSent(bytes: number): void {
    this.sent += bytes;
  }

  onLoss(bytes: number): void {
    this.lost += bytes;
  }

  /** An acknowledgement: bytes newly acknowledged and, when measured, an RTT sample in ms. */
  onAck(now: number, bytes: number, rttMs: number | null, srttMs: number): void {
    this.acked += bytes;
    if (bytes > 0) this.timeoutsInRow = 0;
    if (rttMs !== null) {
      this.roundMinRtt = Math.min(this.roundMinRtt, rttMs);
      if (rttMs <= this.baseRtt || now - this.baseRttAt > this.config.baseRttWindowMs) {
        this.baseRtt = rttMs;
        this.baseRttAt = now;
      }
    }
    if (now - this.roundStart >= Math.max(this.config.minRoundMs, srttMs)) this.endRound(now);
  }

  /** A retransmission time-out; the second in a row (the path went quiet) halves the rate. */
  onTimeout(): void {
    this.timeoutsInRow++;
    if (this.timeoutsInRow < 2) return;
    this.rate = Math.max(this.config.minRate, this.rate / 2);
    this.mode = 'steady';
    this.stats.timeoutBackoffs++;
  }

  /** Bytes allowed in flight: two rate-RTT products, with a floor for tiny RTTs. */
  windowBytes(srttMs: number, chunkBytes: number): number {
    const rtt = Math.max(srttMs, this.baseRtt === Number.POSITIVE_INFINITY ? 0 : this.baseRtt, 5);
    return Math.max(16 * chunkBytes, (2 * this.rate * (rtt + 10)) / 1000);
  }

  private bestDelivered(): number {
    return Math.max(...this.delivered);
  }

  private endRound(now: number): void {
    const seconds = (now - this.roundStart) / 1000;
    const delivered = this.acked / seconds;
    this.delivered[this.roundIndex++ % this.delivered.length] = delivered;
    const total = this.acked + this.lost;
    const lossFraction = total > 0 ? this.lost / total : 0;
    const queueing =
      Number.isFinite(this.roundMinRtt) &&
      this.roundMinRtt - this.baseRtt > Math.max(this.config.queueDelayMs, this.baseRtt / 2);
    const usedRate = this.sent / seconds >= 0.5 * this.rate;
    this.heavyRounds = lossFraction > this.config.heavyLoss ? this.heavyRounds + 1 : 0;
    // One inflated round is often just a busy event loop; two in a row is a standing queue.
    this.queueRounds = queueing ? this.queueRounds + 1 : 0;
    const { minRate, maxRate } = this.config;
    if (this.hold > 0) {
      // Let the queue drain for one round after a back-off before judging again.
      this.hold--;
    } else if (this.queueRounds >= 2 || (queueing && this.mode === 'startup')) {
      // Start-up doubles each round, so the rate before the queue appeared is half of this one.
      this.lastMax = this.mode === 'startup' ? this.rate / 2 : this.rate;
      const floor = this.rate * (this.mode === 'startup' ? 0.4 : 0.5);
      const target = Math.min(this.rate * 0.85, Math.max(this.bestDelivered() * 0.9, floor));
      this.rate = Math.max(minRate, target);
      this.mode = 'steady';
      this.hold = 1;
      this.queueRounds = 0;
      this.stats.queueBackoffs++;
    } else if (this.heavyRounds >= 2) {
      this.lastMax = this.rate;
      this.rate = Math.max(minRate, this.rate * 0.7);
      this.mode = 'steady';
      this.heavyRounds = 0;
      this.hold = 1;
      this.stats.lossBackoffs++;
    } else if (usedRate) {
      // Start-up doubles; after a back-off, climb back fast to where trouble began, then probe
      // gently above it (the shape of CUBIC, in rate terms).
      const gain = this.mode === 'startup' ? 2 : this.rate < 0.9 * this.lastMax ? 1.25 : 1.05;
      this.rate = Math.min(maxRate, this.rate * gain);
      this.stats.increases++;
    }
    this.onRound?.({
      ms: now - this.roundStart,
      deliveredRate: delivered,
      lossFraction,
      minRtt: this.roundMinRtt,
      baseRtt: this.baseRtt,
      rate: this.rate,
    });
    this.roundStart = now;
    this.acked = 0;
    this.lost = 0;
    this.sent = 0;
    this.roundMinRtt = Number.POSITIVE_INFINITY;
  }
}
