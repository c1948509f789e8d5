/**
 * What senders and receivers share: the done promise (settled once), the secure channel, the
 * stall watchdog, progress, cancellation and an owned timer group that is cleared on dispose.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { TimerGroup } from '../util/timer-group.js';
import { TransferError, TransferErrorCode, toTransferErrorCode } from './errors.js';
import type { DatagramSocket, Peer } from './net/udp-socket.js';
import { ProgressMeter } from './progress.js';
import type { Transfer, TransferResult } from './types.js';
import { newTransferStats, SecureChannel, type TransferStats } from './wire/channel.js';
import { type DirectionKeys, transferTag } from './wire/crypto.js';
import { type Direction, type Header, MessageType } from './wire/datagram.js';
import type { Message } from './wire/messages.js';

/** How long a failed transfer keeps repeating its ABORT to a peer that is still sending. */
const ABORT_LINGER_MS = 2000;

export interface EngineConfig {
  /** Forced chunk size; otherwise large on loopback, path-MTU sized elsewhere. */
  chunkSize?: number;
  /** No progress for this long fails the transfer with STALLED. */
  stallTimeoutMs: number;
  /** How long a finished receiver keeps answering a sender that missed its DONE. */
  lingerMs: number;
  progressIntervalMs: number;
  /** Receiver: cap on bytes queued for the disk; chunks beyond it are dropped and resent. */
  maxPendingWriteBytes: number;
  /** Receiver: fsync the file before renaming it into place (durable, ~1 s per GB slower). */
  fsync: boolean;
  /** Receiver: SHA-256 on the shared helper thread instead of the receiving thread. */
  hashThread: boolean;
}

/** What a transfer needs from its engine. */
export interface EngineContext {
  socket: DatagramSocket;
  clock: Clock;
  logger: Logger;
  config: EngineConfig;
  /** Stops routing datagrams to this transfer. */
  unregister(transfer: TransferBase): void;
  /** Part files in use by running receivers; a second receiver of the same file gets its own. */
  activeParts: Set<string>;
  /** Work that outlives a transfer (a stream still feeding a player); engine.close() stops it. */
  background: Set<{ stop(): void }>;
}

export abstract class TransferBase extends EventEmitter implements Transfer {
  abstract readonly direction: 'send' | 'receive';
  readonly done: Promise<TransferResult>;
  readonly stats: TransferStats = newTransferStats();
  /** Every timer of this transfer, on the engine's clock; dispose() clears them all. */
  protected readonly timers: TimerGroup;
  protected channel: SecureChannel | null = null;
  protected lastProgressAt: number;
  protected readonly startedAt: number;
  protected settled = false;
  private disposed = false;
  private released = false;
  private failure: TransferError | null = null;
  private lastAbortAt = Number.NEGATIVE_INFINITY;
  private resolveDone!: (result: TransferResult) => void;
  private rejectDone!: (error: TransferError) => void;
  /** Resolves once files are closed and the sidecar saved; engine.close() waits for it. */
  cleanup: Promise<void> = Promise.resolve();

  constructor(
    readonly transferId: string,
    readonly peer: Peer,
    readonly routeKey: string,
    protected readonly ctx: EngineContext,
  ) {
    super();
    this.timers = new TimerGroup(ctx.clock);
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // A caller that never awaits done must not crash the process with an unhandled rejection.
    this.done.catch(() => {});
    this.startedAt = this.now();
    this.lastProgressAt = this.startedAt;
    this.timers.setTimeout(() => this.watch(), 0);
  }

  /** The channel to the peer; `toward` is the direction of the datagrams this side sends. */
  protected openChannel(keys: DirectionKeys, toward: Direction): SecureChannel {
    const tag = transferTag(this.transferId);
    this.channel = new SecureChannel(this.ctx.socket, this.peer, tag, toward, keys, this.stats);
    return this.channel;
  }

  protected newProgress(total: number): ProgressMeter {
    const interval = this.ctx.config.progressIntervalMs;
    return new ProgressMeter(
      this.transferId,
      total,
      this.now(),
      (p) => this.emit('progress', p),
      interval,
    );
  }

  protected now(): number {
    return this.ctx.clock.now();
  }

  /** Microsecond timestamp for RTT echoes (wraps at 2^32, differences stay right). */
  protected stamp(): number {
    return Math.round(this.now() * 1000) >>> 0;
  }

  cancel(reason = 'cancelled'): void {
    this.fail(new TransferError(TransferErrorCode.Cancelled, `transfer cancelled: ${reason}`));
  }

  /** Fails the transfer with a given error (the engine's duplicate check uses it). */
  terminate(error: TransferError): void {
    this.fail(error);
  }

  /** Called by the engine for every datagram from the peer address for this transfer. */
  handle(header: Header, datagram: Buffer): void {
    if (this.disposed || !this.channel) return;
    const msg = this.channel.open(header, datagram);
    if (!msg) return;
    if (this.failure) {
      // Our ABORT may have been lost: a peer still talking hears it again (at most every 20 ms).
      if (msg.type !== MessageType.Abort) this.sendAbort(this.failure);
      return;
    }
    if (msg.type === MessageType.Abort) {
      if (this.settled) {
        this.dispose();
        return;
      }
      const code = toTransferErrorCode(msg.code);
      this.fail(new TransferError(code, `peer aborted the transfer: ${msg.reason}`), false);
      return;
    }
    this.onMessage(msg);
  }

  private sendAbort(error: TransferError): void {
    const now = this.now();
    if (!this.channel || now - this.lastAbortAt < 20) return;
    this.lastAbortAt = now;
    this.channel.send({ type: MessageType.Abort, code: error.code, reason: error.message });
  }

  protected abstract onMessage(msg: Message): void;
  /** Whether the stall watchdog applies now (not while verifying locally, for example). */
  protected abstract get watchdogActive(): boolean;
  /** Periodic work: timers of the protocol, progress. */
  protected abstract onTick(now: number): void;
  /** Releases files; runs once on failure or end. */
  protected abstract release(failed: TransferError | null): Promise<void>;

  private watch(): void {
    if (this.disposed) return;
    const now = this.now();
    if (!this.settled && this.watchdogActive) {
      const idle = now - this.lastProgressAt;
      if (idle >= this.ctx.config.stallTimeoutMs) {
        const secs = (idle / 1000).toFixed(1);
        this.fail(
          new TransferError(
            TransferErrorCode.Stalled,
            `transfer stalled: no progress with ${this.peer.address}:${this.peer.port} for ${secs} s`,
          ),
        );
        return;
      }
    }
    this.onTick(now);
    if (!this.disposed) this.timers.setTimeout(() => this.watch(), 5);
  }

  protected succeed(result: Omit<TransferResult, 'transferId' | 'elapsedMs'>): void {
    if (this.settled) return;
    this.settled = true;
    this.resolveDone({
      transferId: this.transferId,
      elapsedMs: this.now() - this.startedAt,
      ...result,
    });
  }

  /**
   * Fails once: releases files, rejects done after that, and tells the peer (unless the peer
   * told us). The route then stays open for a while to repeat the ABORT to a peer that missed it.
   */
  protected fail(error: TransferError, tellPeer = true): void {
    if (this.settled) {
      // Settled but lingering (a receiver after DONE): just stop.
      this.dispose();
      return;
    }
    this.settled = true;
    this.ctx.logger.warn('transfer failed', { transferId: this.transferId, code: error.code });
    this.timers.clearAll();
    this.releaseOnce(error);
    void this.cleanup.then(() => this.rejectDone(error));
    if (!tellPeer || !this.channel) {
      this.dispose();
      return;
    }
    this.failure = error;
    this.sendAbort(error);
    this.timers.setTimeout(() => this.dispose(), ABORT_LINGER_MS);
  }

  /** Stops everything now: timers, routing, files. Idempotent; engine.close() uses it. */
  shutdown(reason: string): void {
    this.beforeShutdown();
    this.cancel(reason);
    this.dispose();
  }

  /** Last words before the engine closes (a finished receiver repeats its DONE). */
  protected beforeShutdown(): void {}

  /** Timers still owned by this transfer (a test asserts none is left after the end). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Stops timers and routing; release() closes files. Idempotent. */
  protected dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.timers.clearAll();
    this.ctx.unregister(this);
    this.releaseOnce(null);
  }

  private releaseOnce(error: TransferError | null): void {
    if (this.released) return;
    this.released = true;
    this.cleanup = this.release(error).catch(() => {});
  }

  get isDisposed(): boolean {
    return this.disposed;
  }
}
