/**
 * Sender state machine: opening → hello (HELLO until the first ACK, which carries what the
 * receiver already holds) → data (paced chunks, selective ACKs, loss recovery) → finishing
 * (POLL until the receiver's DONE says it verified and saved the file) → done.
 */

import type { TimerHandle } from '../util/clock.js';
import { fileError, TransferError, TransferErrorCode } from './errors.js';
import { ChunkReader } from './files/chunk-reader.js';
import type { ProgressMeter } from './progress.js';
import { RateController } from './reliability/congestion.js';
import { Pacer } from './reliability/pacer.js';
import { DEFAULT_WINDOW_CONFIG, SendWindow } from './reliability/window.js';
import { type EngineContext, TransferBase } from './transfer-base.js';
import type { SendOptions } from './types.js';
import { deriveKeys, transferTag } from './wire/crypto.js';
import { Direction, MessageType } from './wire/datagram.js';
import type { Message } from './wire/messages.js';

/** A chunk resent this often without an acknowledgement means the path is gone. */
const MAX_RESENDS = 60;
/** Yield to the event loop after this many datagrams so ACKs get processed. */
const BURST_DATAGRAMS = 32;

type State = 'opening' | 'hello' | 'data' | 'finishing';

export class SendTransfer extends TransferBase {
  readonly direction = 'send' as const;
  private state: State = 'opening';
  private reader: ChunkReader | null = null;
  window: SendWindow | null = null;
  private rate: RateController;
  private pacer: Pacer;
  private progress: ProgressMeter;
  private chunkSize = 1;
  private pumping = false;
  private wake: TimerHandle | null = null;
  private nextControlAt = 0;
  private controlBackoff = 1;
  private freshBytes = 0;
  /** Why the pump stopped, for diagnostics: window full, pacing, yields, nothing to send, disk. */
  readonly pumpStats = { windowFull: 0, paced: 0, yields: 0, idle: 0, diskWaits: 0 };

  constructor(
    ctx: EngineContext,
    private readonly options: SendOptions,
    chunkSize: number,
  ) {
    super(
      options.transferId,
      options.peer,
      `1:${transferTag(options.transferId).toString('hex')}`,
      ctx,
    );
    this.chunkSize = chunkSize;
    const now = this.now();
    this.rate = new RateController(now);
    this.pacer = new Pacer(now);
    this.progress = this.newProgress(options.size);
  }

  /** Chunk-level counters for tests and diagnostics. */
  get windowStats() {
    return this.window?.stats;
  }

  get rateController(): RateController {
    return this.rate;
  }

  async start(): Promise<void> {
    const { options } = this;
    const keys = deriveKeys(options.keys, options.remotePublicKey, options.transferId, 'send');
    if (typeof keys === 'string') {
      return this.fail(new TransferError(TransferErrorCode.BadKey, keys), false);
    }
    // Chunk indices are u32: a huge file gets bigger chunks rather than overflowing them.
    this.chunkSize = Math.max(this.chunkSize, Math.ceil(options.size / 0xffff_fff0));
    try {
      this.reader = await ChunkReader.open(options.filePath, options.size, this.chunkSize);
    } catch (error) {
      return this.fail(fileError('cannot read', options.filePath, error), false);
    }
    if (this.isDisposed) {
      await this.reader.close();
      return;
    }
    this.openChannel(keys, Direction.ToReceiver);
    const total = Math.ceil(options.size / this.chunkSize);
    const last = options.size - (total - 1) * this.chunkSize;
    this.window = new SendWindow(
      total,
      (c) => (c === total - 1 ? last : this.chunkSize),
      DEFAULT_WINDOW_CONFIG,
    );
    this.state = 'hello';
    this.sendControl(this.now());
  }

  protected get watchdogActive(): boolean {
    return this.state !== 'opening';
  }

  /** HELLO in the hello state, POLL when finishing; resent with back-off until answered. */
  private sendControl(now: number): void {
    if (!this.channel || !this.window) return;
    if (this.state === 'hello') {
      const { size, sha256 } = this.options;
      this.channel.send({
        type: MessageType.Hello,
        size,
        chunkSize: this.chunkSize,
        sha256,
        ts: this.stamp(),
      });
    } else if (this.state === 'finishing') {
      this.channel.send({ type: MessageType.Poll, ts: this.stamp() });
    } else {
      return;
    }
    // Small control datagrams: resend early (50 ms, doubling) rather than wait a full RTO.
    const first = this.window.rtt.srtt === null ? 50 : this.window.rtt.rto;
    this.nextControlAt = now + Math.min(1000, first * this.controlBackoff);
    this.controlBackoff = Math.min(this.controlBackoff * 2, 16);
  }

  protected onMessage(msg: Message): void {
    const now = this.now();
    if (msg.type === MessageType.Ack) {
      this.onAck(msg, now);
    } else if (msg.type === MessageType.Done) {
      this.channel?.send({ type: MessageType.Fin });
      if (msg.status !== 0) {
        this.fail(
          new TransferError(TransferErrorCode.HashMismatch, 'receiver found a SHA-256 mismatch'),
          false,
        );
        return;
      }
      this.progress.update(this.options.size, now, true);
      // One line per finished send, so a slow path can be told from a slow peer (--verbose).
      const w = this.window?.stats;
      this.ctx.logger.info('transfer sent', {
        transferId: this.transferId,
        peer: `${this.peer.address}:${this.peer.port}`,
        ms: Math.round(now - this.startedAt),
        bytes: this.options.size,
        chunk: this.chunkSize,
        sent: w?.sent,
        retransmits: w?.retransmits,
        timeouts: w?.timeouts,
        fastLosses: w?.fastLosses,
        srttMs: this.window?.rtt.srtt === null ? null : Math.round(this.window?.rtt.srtt ?? 0),
        minRttMs: Math.round(this.window?.rtt.minRtt ?? 0),
        bandwidth: Math.round(this.rate.bandwidth),
      });
      this.succeed({ bytes: this.options.size, sentBytes: this.freshBytes });
      this.dispose();
    }
  }

  private onAck(msg: Extract<Message, { type: 3 }>, now: number): void {
    const window = this.window;
    if (!window || this.state === 'opening') return;
    const answersHello = this.state === 'hello';
    if (answersHello) {
      this.state = 'data';
      this.controlBackoff = 1;
      this.lastProgressAt = now;
    }
    const out = window.onAck(msg.cum, msg.bitmap, now);
    let rttMs: number | null = null;
    // Only ACKs that acknowledge something (or answer HELLO) echo a fresh timestamp.
    if (out.ackedChunks > 0 || answersHello) {
      const us = ((this.stamp() - msg.echoTs) >>> 0) - msg.ackDelayUs;
      // A garbage echo (wrapped or from before a resend) would poison the estimate.
      if (us >= 0 && us < 60_000_000) {
        rttMs = us / 1000;
        window.rtt.sample(rttMs);
      }
    }
    if (out.ackedChunks > 0) this.lastProgressAt = now;
    if (out.lostBytes > 0) this.rate.onLoss(out.lostBytes);
    this.rate.onAck(now, out.ackedBytes, out.rateSample, rttMs, window.rtt.smoothed);
    this.stats.fastLosses = window.stats.fastLosses;
    if (this.state === 'finishing') {
      this.lastProgressAt = now;
      return;
    }
    this.progress.update(this.window!.ackedBytes, now);
    if (window.complete) {
      this.state = 'finishing';
      this.controlBackoff = 1;
      this.sendControl(now);
      return;
    }
    this.pump();
  }

  protected onTick(now: number): void {
    const window = this.window;
    if (!window) return;
    if ((this.state === 'hello' || this.state === 'finishing') && now >= this.nextControlAt) {
      this.sendControl(now);
    }
    if (this.state !== 'data') return;
    if (window.tailProbe(now)) this.pump();
    const deadline = window.deadline();
    if (deadline !== null && now >= deadline) {
      const out = window.onTimer(now);
      if (out.lostBytes > 0) this.rate.onLoss(out.lostBytes);
      if (out.timedOut) {
        this.rate.onTimeout();
        this.stats.timeouts = window.stats.timeouts;
      }
      this.stats.fastLosses = window.stats.fastLosses;
      if (out.lostChunks > 0) this.pump();
    }
    this.progress.update(this.window!.ackedBytes, now);
  }

  /** Sends while the pacer, the window and the ACK bitmap span allow. */
  private pump(): void {
    if (this.pumping || this.wake || this.state !== 'data') return;
    this.pumping = true;
    void this.run().finally(() => {
      this.pumping = false;
    });
  }

  private async run(): Promise<void> {
    const window = this.window!;
    const reader = this.reader!;
    let burst = 0;
    while (this.state === 'data' && !this.isDisposed) {
      const now = this.now();
      const rate = this.rate.rate;
      this.pacer.refill(now, rate, 2 * this.chunkSize);
      // Resends replace datagrams that already left the flight, so only new data waits for
      // room in the window; otherwise a shrunken window after a time-out could block the probe.
      const cwnd = this.rate.windowBytes(window.rtt.smoothed, this.chunkSize);
      if (!window.hasLost && window.inFlightBytes >= cwnd) {
        this.pumpStats.windowFull++;
        return;
      }
      if (!this.pacer.ready) {
        this.pumpStats.paced++;
        this.schedule(this.pacer.waitMs(rate));
        return;
      }
      if (burst >= BURST_DATAGRAMS) {
        this.pumpStats.yields++;
        this.schedule(null);
        return;
      }
      const pick = window.next();
      if (!pick) {
        this.pumpStats.idle++;
        return;
      }
      let data = reader.peek(pick.chunk);
      if (!data) {
        this.pumpStats.diskWaits++;
        try {
          data = await reader.read(pick.chunk, !pick.retransmit);
        } catch (error) {
          this.fail(fileError('cannot read', this.options.filePath, error));
          return;
        }
        if (this.state !== 'data' || this.isDisposed) return;
      }
      const seq = this.channel!.sendData(pick.chunk, this.stamp(), data);
      const resends = window.onSent(pick.chunk, seq, this.now(), pick.retransmit);
      if (pick.retransmit) this.stats.retransmits++;
      else this.freshBytes += data.length;
      if (resends > MAX_RESENDS) {
        this.fail(
          new TransferError(
            TransferErrorCode.Stalled,
            `transfer stalled: chunk ${pick.chunk} was resent ${resends} times without an acknowledgement`,
          ),
        );
        return;
      }
      this.pacer.consume(data.length);
      this.rate.onSent(data.length);
      burst++;
    }
  }

  /** Wakes the pump: `null` = right after pending I/O (a yield), else after `ms` of pacing. */
  private schedule(ms: number | null): void {
    if (this.wake) return;
    const fire = (): void => {
      this.wake = null;
      this.pump();
    };
    // A pacing wait sleeps at least 1 ms and the bucket then sends what accrued: spinning on
    // setImmediate for 0.1 ms gaps cost ~10 wake-ups per datagram and starved the receiver.
    this.wake =
      ms === null ? this.timers.setImmediate(fire) : this.timers.setTimeout(fire, Math.max(1, ms));
  }

  protected async release(): Promise<void> {
    this.state = 'finishing';
    await this.reader?.close();
  }
}
