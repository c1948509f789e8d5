/**
 * The sender's window: which chunks are acknowledged, in flight or lost, and when to
 * retransmit. Pure logic over explicit state; time comes in as `now` (ms), so tests drive it
 * with a manual clock. Loss detection follows QUIC (RFC 9002 §6): a chunk is lost when one sent
 * `packetThreshold` packets later was acknowledged (fast retransmit) or when it is older than
 * `timeThreshold` × RTT and something sent after it was; a time-out (RTO) resends the oldest
 * chunk as a probe and backs the RTO off.
 *
 * Paths reorder (veth and NIC queues spread one flow over CPUs; relays and routers add
 * more), and a reordering deeper than the thresholds looks like loss. As Linux's TCP
 * (tcp_reordering) and RACK's adaptive reo_wnd do, a loss found spurious (the chunk's first
 * copy is acknowledged before or too soon after its resend) widens both thresholds for the
 * rest of the transfer.
 */
import { Bitset } from './bitset.js';
import { DEFAULT_RTT_CONFIG, type RttConfig, RttEstimator } from './rtt.js';

export interface WindowConfig {
  /** Packets sent after a chunk that must be acknowledged before it counts as lost. */
  packetThreshold: number;
  /** RTT multiple after which an unacknowledged chunk counts as lost. */
  timeThreshold: number;
  /** Chunks beyond the cumulative point that an ACK bitmap can describe. */
  maxSpan: number;
  rtt: RttConfig;
}

export const DEFAULT_WINDOW_CONFIG: WindowConfig = {
  packetThreshold: 12,
  timeThreshold: 1.5,
  maxSpan: 8192,
  rtt: DEFAULT_RTT_CONFIG,
};

/** Earliest tail loss probe; below this a busy event loop alone would trigger probes. */
const MIN_PROBE_MS = 10;
/** Shortest interval a delivery-rate sample may span. */
const MIN_SAMPLE_MS = 4;

interface InFlight {
  seq: number;
  sentAt: number;
  bytes: number;
  /** Delivery-rate state when sent (BBR's rate sampling, draft-cheng-iccrg-delivery-rate). */
  delivered: number;
  deliveredAt: number;
  firstSentAt: number;
}

/** What one acknowledgement changed. */
export interface AckOutcome {
  ackedChunks: number;
  ackedBytes: number;
  lostChunks: number;
  lostBytes: number;
  /** Delivery rate in bytes/s measured by this ACK, or 0 when it measured none. */
  rateSample: number;
}

export interface WindowStats {
  sent: number;
  retransmits: number;
  fastLosses: number;
  timeouts: number;
  tailProbes: number;
  /** Losses found spurious (reordering): each widened the thresholds. */
  spurious: number;
}

/** Widening steps at most: packet threshold × 2^8, time threshold + 8 × 0.25 RTT. */
const MAX_REORDER_STEPS = 8;

export class SendWindow {
  readonly acked: Bitset;
  readonly rtt: RttEstimator;
  /** First chunk not yet acknowledged. */
  cum = 0;
  inFlightBytes = 0;
  /** Bytes acknowledged so far (resumed chunks included). */
  ackedBytes = 0;
  readonly stats: WindowStats = {
    sent: 0,
    retransmits: 0,
    fastLosses: 0,
    timeouts: 0,
    tailProbes: 0,
    spurious: 0,
  };
  /** Widening steps taken after spurious losses (0: the configured thresholds). */
  reorderSteps = 0;
  /** Insertion order is send order (a resend moves the chunk to the end). */
  private readonly inFlight = new Map<number, InFlight>();
  private lost: number[] = [];
  private lostHead = 0;
  private readonly queuedLost = new Set<number>();
  private readonly retries = new Map<number, number>();
  private nextNew = 0;
  private largestAckedSeq = -1;
  /** Bytes acknowledged so far, the time of the last, and when the newest acked was sent. */
  private delivered = 0;
  private deliveredAt = 0;
  private firstSentAt = 0;
  private sample: InFlight | null = null;
  private lastSent = -1;
  private lastSentAt = 0;
  private probed = false;

  constructor(
    readonly total: number,
    private readonly bytesOf: (chunk: number) => number,
    private readonly config: WindowConfig = DEFAULT_WINDOW_CONFIG,
  ) {
    this.acked = new Bitset(total);
    this.rtt = new RttEstimator(config.rtt);
  }

  get complete(): boolean {
    return this.acked.count === this.total;
  }

  /** Chunks are queued for retransmission (they left the flight, so they may bypass cwnd). */
  get hasLost(): boolean {
    return this.lostHead < this.lost.length;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** The next chunk to put on the wire (lost ones first), or null when none may go now. */
  next(): { chunk: number; retransmit: boolean } | null {
    while (this.lostHead < this.lost.length) {
      const chunk = this.lost[this.lostHead++]!;
      this.queuedLost.delete(chunk);
      if (!this.acked.has(chunk) && !this.inFlight.has(chunk)) return { chunk, retransmit: true };
    }
    if (this.lostHead > 0) {
      this.lost = [];
      this.lostHead = 0;
    }
    this.nextNew = this.acked.nextClear(this.nextNew);
    if (this.nextNew >= this.total || this.nextNew > this.cum + this.config.maxSpan) return null;
    return { chunk: this.nextNew++, retransmit: false };
  }

  /** Records a transmission; returns how many times this chunk has been resent. */
  onSent(chunk: number, seq: number, now: number, retransmit: boolean): number {
    const bytes = this.bytesOf(chunk);
    const old = this.inFlight.get(chunk);
    if (old) {
      this.inFlightBytes -= old.bytes;
      this.inFlight.delete(chunk);
    }
    if (this.inFlight.size === 0) {
      // Nothing in flight: the next rate sample starts now, not at the last ACK long ago.
      this.firstSentAt = now;
      this.deliveredAt = now;
    }
    this.inFlight.set(chunk, {
      seq,
      sentAt: now,
      bytes,
      delivered: this.delivered,
      deliveredAt: this.deliveredAt,
      firstSentAt: this.firstSentAt,
    });
    this.inFlightBytes += bytes;
    this.stats.sent++;
    this.lastSent = chunk;
    this.lastSentAt = now;
    if (!retransmit) return 0;
    this.stats.retransmits++;
    const count = (this.retries.get(chunk) ?? 0) + 1;
    this.retries.set(chunk, count);
    return count;
  }

  /** Applies an ACK: everything below cum plus the set bits of the bitmap. */
  onAck(cum: number, bitmap: Buffer, now: number): AckOutcome {
    const out = this.outcome();
    this.sample = null;
    const top = Math.min(cum, this.total);
    for (let c = this.cum; c < top; c++) this.markAcked(c, out, now);
    for (let byte = 0; byte < bitmap.length; byte++) {
      const bits = bitmap[byte]!;
      if (bits === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        if (bits & (1 << bit)) this.markAcked(cum + 1 + byte * 8 + bit, out, now);
      }
    }
    this.cum = this.acked.nextClear(this.cum);
    if (out.ackedChunks > 0) {
      this.rtt.onProgress();
      this.probed = false;
    }
    const p = this.sample as InFlight | null;
    if (p) {
      this.deliveredAt = now;
      this.firstSentAt = p.sentAt;
      // The slower of sending and acknowledging bounds the rate: a burst of ACKs after a
      // stall must not claim more bandwidth than the data was sent with.
      const interval = Math.max(p.sentAt - p.firstSentAt, now - p.deliveredAt);
      // Datagrams leave in small bursts between timer ticks: a sample shorter than a few ms
      // would measure the burst, not the path.
      const floor = Math.max(MIN_SAMPLE_MS, Number.isFinite(this.rtt.minRtt) ? this.rtt.minRtt : 0);
      if (interval >= floor) out.rateSample = ((this.delivered - p.delivered) * 1000) / interval;
    }
    this.detectLosses(now, out);
    return out;
  }

  /**
   * Runs time-based loss detection and the RTO; call when `deadline()` passes. A time-out
   * resends only the oldest chunk as a probe (as TCP and QUIC's PTO do): if the path is merely
   * slow its ACK clears the rest, if the flight was lost the probe's ACK exposes it.
   */
  onTimer(now: number): AckOutcome & { timedOut: boolean } {
    const out = { ...this.outcome(), timedOut: false };
    this.detectLosses(now, out);
    const [oldestChunk, oldest] = this.inFlight.entries().next().value ?? [];
    if (oldest !== undefined && oldestChunk !== undefined && now - oldest.sentAt >= this.rtt.rto) {
      this.markLost(oldestChunk, out);
      this.rtt.onTimeout();
      this.stats.timeouts++;
      out.timedOut = true;
    }
    return out;
  }

  /**
   * Tail loss probe (RFC 8985): with nothing new left to send, a lost last datagram has no later
   * ACK to reveal it and would wait a whole RTO. After max(2 SRTT, 10 ms) of silence the newest
   * chunk in flight is resent once; its ACK repairs the tail or exposes the rest as lost.
   */
  tailProbe(now: number): boolean {
    if (this.probed || this.hasLost || this.inFlight.size === 0) return false;
    const next = this.acked.nextClear(this.nextNew);
    if (next < this.total && next <= this.cum + this.config.maxSpan) return false;
    if (now - this.lastSentAt < Math.max(MIN_PROBE_MS, 2 * this.rtt.smoothed)) return false;
    const chunk = this.inFlight.has(this.lastSent)
      ? this.lastSent
      : (this.inFlight.keys().next().value as number);
    this.probed = true;
    this.stats.tailProbes++;
    this.markLost(chunk, this.outcome());
    return true;
  }

  /** When onTimer next has work: the RTO of the oldest chunk in flight, or null. */
  deadline(): number | null {
    const oldest = this.inFlight.values().next().value;
    if (!oldest) return null;
    // Something sent later was acknowledged: the loss timer is due sooner than the RTO.
    if (oldest.seq < this.largestAckedSeq) {
      return oldest.sentAt + Math.min(this.rtt.rto, this.lossDelay());
    }
    return oldest.sentAt + this.rtt.rto;
  }

  private outcome(): AckOutcome {
    return { ackedChunks: 0, ackedBytes: 0, lostChunks: 0, lostBytes: 0, rateSample: 0 };
  }

  private lossDelay(): number {
    const threshold = this.config.timeThreshold + 0.25 * this.reorderSteps;
    return Math.max(1, threshold * Math.max(this.rtt.smoothed, this.rtt.latest));
  }

  private detectLosses(now: number, out: AckOutcome): void {
    const delay = this.lossDelay();
    for (const [chunk, f] of this.inFlight) {
      if (f.seq >= this.largestAckedSeq) break;
      const byCount = this.largestAckedSeq - f.seq > this.packetThreshold;
      const byTime = now - f.sentAt >= delay;
      if (!byCount && !byTime) break;
      this.stats.fastLosses++;
      this.markLost(chunk, out);
    }
  }

  private markAcked(chunk: number, out: AckOutcome, now: number): void {
    if (!this.acked.add(chunk)) return;
    if (this.wasSpurious(chunk, now)) this.widen();
    out.ackedChunks++;
    out.ackedBytes += this.bytesOf(chunk);
    this.ackedBytes += this.bytesOf(chunk);
    this.retries.delete(chunk);
    const f = this.inFlight.get(chunk);
    if (!f) return;
    this.delivered += f.bytes;
    if (!this.sample || f.delivered > this.sample.delivered) this.sample = f;
    if (f.seq > this.largestAckedSeq) this.largestAckedSeq = f.seq;
    this.inFlightBytes -= f.bytes;
    this.inFlight.delete(chunk);
  }

  /**
   * A chunk declared lost whose first copy arrived: still waiting for its resend, or resent
   * so recently that no round trip fits (its ACK answers the original).
   */
  private wasSpurious(chunk: number, now: number): boolean {
    // Runs per acknowledged chunk: nothing to look up while no chunk was ever declared lost.
    if (this.retries.size === 0 && this.queuedLost.size === 0) return false;
    if (this.queuedLost.has(chunk)) return true;
    if (!this.retries.has(chunk)) return false;
    const f = this.inFlight.get(chunk);
    const minRtt = this.rtt.minRtt;
    return f !== undefined && Number.isFinite(minRtt) && now - f.sentAt < minRtt / 2;
  }

  private widen(): void {
    this.stats.spurious++;
    if (this.reorderSteps < MAX_REORDER_STEPS) this.reorderSteps++;
  }

  private get packetThreshold(): number {
    return this.config.packetThreshold * 2 ** this.reorderSteps;
  }

  private markLost(chunk: number, out: AckOutcome): void {
    const f = this.inFlight.get(chunk);
    if (!f) return;
    this.inFlightBytes -= f.bytes;
    this.inFlight.delete(chunk);
    out.lostChunks++;
    out.lostBytes += f.bytes;
    if (!this.queuedLost.has(chunk)) {
      this.queuedLost.add(chunk);
      this.lost.push(chunk);
    }
  }
}
