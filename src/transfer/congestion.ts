/**
 * Rate-based congestion control. Once per round (≥ one RTT) it looks at what the round
 * delivered, what it lost and the smallest RTT it saw:
 *  - queueing (the round's minimum RTT stands well above the base RTT) means the path or the
 *    receiver cannot keep up: drop to about what was delivered (at most −15 %, at least −50 %);
 *  - sustained heavy loss (two rounds above `heavyLoss`) backs off by 30 %;
 *  - otherwise, if the sender used its rate, grow: ×2 per round in start-up, ×1.08 after.
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

  private endRound(now: number): void {
    const seconds = (now - this.roundStart) / 1000;
    const delivered = this.acked / seconds;
    const total = this.acked + this.lost;
    const lossFraction = total > 0 ? this.lost / total : 0;
    const queueing =
      Number.isFinite(this.roundMinRtt) &&
      this.roundMinRtt - this.baseRtt > Math.max(this.config.queueDelayMs, this.baseRtt / 2);
    const usedRate = this.sent / seconds >= 0.5 * this.rate;
    this.heavyRounds = lossFraction > this.config.heavyLoss ? this.heavyRounds + 1 : 0;
    const { minRate, maxRate } = this.config;
    if (this.hold > 0) {
      // Let the queue drain for one round after a back-off before judging again.
      this.hold--;
    } else if (queueing) {
      const target = Math.min(this.rate * 0.85, Math.max(delivered * 0.95, this.rate * 0.5));
      this.rate = Math.max(minRate, target);
      this.mode = 'steady';
      this.hold = 1;
      this.stats.queueBackoffs++;
    } else if (this.heavyRounds >= 2) {
      this.rate = Math.max(minRate, this.rate * 0.7);
      this.mode = 'steady';
      this.heavyRounds = 0;
      this.hold = 1;
      this.stats.lossBackoffs++;
    } else if (usedRate) {
      this.rate = Math.min(maxRate, this.rate * (this.mode === 'startup' ? 2 : 1.08));
      this.stats.increases++;
    }
    this.roundStart = now;
    this.acked = 0;
    this.lost = 0;
    this.sent = 0;
    this.roundMinRtt = Number.POSITIVE_INFINITY;
  }
}
