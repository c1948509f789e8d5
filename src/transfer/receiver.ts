/**
 * Receiver state machine: opening (part file, resume ranges) → waiting (for HELLO) →
 * receiving (write chunks at offsets, selective ACKs) → verifying (whole-file SHA-256) →
 * lingering (answer a sender that missed DONE, until FIN or a time-out) → done.
 */

import type { TimerHandle } from '../util/clock.js';
import { TransferError, TransferErrorCode } from './errors.js';
import type { PartFile } from './files/part-file.js';
import { checkOffer, openPart, verifyAndSave } from './files/reception.js';
import { StreamFeeder } from './files/stream-feeder.js';
import { ReceiveWindow } from './reliability/receive-window.js';
import { type EngineContext, TransferBase } from './transfer-base.js';
import type { ReceiveOptions } from './types.js';
import { deriveKeys, transferTag } from './wire/crypto.js';
import { Direction, MessageType } from './wire/datagram.js';
import { AckFlag, type Message } from './wire/messages.js';

/**
 * ACK after this many new chunks, at once when a new hole opens, or after ACK_DELAY_MS.
 * Not on every chunk while a hole is open (as before): under loss that made one ACK per
 * datagram, and the receiver, the busier side, spent its time sealing ACKs and lost more.
 * 16 rather than 8: half the ACKs to seal, send and wake the sender for (~1 MiB apart on
 * loopback, well inside the 4 MiB in flight); loss is still reported at once.
 */
const ACK_EVERY = 16;
const ACK_DELAY_MS = 2;
const SIDECAR_EVERY_MS = 500;

type State = 'opening' | 'waiting' | 'receiving' | 'verifying' | 'lingering';

export class ReceiveTransfer extends TransferBase {
  readonly direction = 'receive' as const;
  private state: State = 'opening';
  private part: PartFile | null = null;
  private window: ReceiveWindow | null = null;
  private chunkSize = 0;
  private fileName = '';
  private unacked = 0;
  private lastEchoTs = 0;
  private lastDataAt = 0;
  private ackTimer: TimerHandle | null = null;
  private nextSidecarAt = 0;
  /** Bytes already on disk from an earlier attempt when this transfer started. */
  resumed = 0;
  private doneStatus = 0;
  private readonly writes = new Set<Promise<void>>();
  private readonly progress;
  private feeder: StreamFeeder | null = null;
  private earlyHello: Extract<Message, { type: 1 }> | null = null;
  private partKey: string | null = null;
  savedPath: string | null = null;

  constructor(
    ctx: EngineContext,
    private readonly options: ReceiveOptions,
  ) {
    super(
      options.transferId,
      options.peer,
      `0:${transferTag(options.transferId).toString('hex')}`,
      ctx,
    );
    this.progress = this.newProgress(options.size);
  }

  async start(): Promise<void> {
    const { options } = this;
    const keys = deriveKeys(options.keys, options.remotePublicKey, options.transferId, 'receive');
    if (typeof keys === 'string') {
      return this.fail(new TransferError(TransferErrorCode.BadKey, keys), false);
    }
    const name = checkOffer(options);
    if (name instanceof TransferError) return this.fail(name, false);
    this.fileName = name;
    // The channel exists before the part file is open so an early HELLO is kept, not lost.
    this.openChannel(keys, Direction.ToSender);
    let part: PartFile;
    try {
      const opened = await openPart(
        this.ctx.activeParts,
        options,
        name,
        this.ctx.config.hashThread,
      );
      part = opened.part;
      if (this.isDisposed) {
        // Cancelled while opening: release() already ran without this part file.
        if (opened.key) this.ctx.activeParts.delete(opened.key);
        await part.close();
        return;
      }
      this.part = part;
      this.partKey = opened.key;
    } catch (error) {
      return this.fail(error as TransferError);
    }
    this.resumed = part.written.bytes;
    // The client tells the user; the sender learns it from the first ACK.
    if (this.resumed > 0) this.emit('resumed', { bytes: this.resumed });
    part.followHash();
    if (options.stream) {
      this.feeder = new StreamFeeder(options.stream, part, options.size, (f) =>
        this.ctx.background.delete(f),
      );
      this.ctx.background.add(this.feeder);
      this.feeder.poke();
    }
    this.state = 'waiting';
    this.lastProgressAt = this.now();
    const early = this.earlyHello;
    this.earlyHello = null;
    if (early) this.onHello(early, this.now());
  }

  protected get watchdogActive(): boolean {
    return this.state === 'waiting' || this.state === 'receiving';
  }

  protected onMessage(msg: Message): void {
    const now = this.now();
    switch (msg.type) {
      case MessageType.Hello:
        this.onHello(msg, now);
        return;
      case MessageType.Data:
        this.onData(msg, now);
        return;
      case MessageType.Poll:
        this.lastEchoTs = msg.ts;
        this.lastDataAt = now;
        if (this.state === 'lingering') this.sendDone();
        else if (this.state !== 'waiting') this.sendAck(now);
        return;
      case MessageType.Fin:
        if (this.state === 'lingering') this.dispose();
        return;
      default:
        this.stats.malformed++;
    }
  }

  private onHello(msg: Extract<Message, { type: 1 }>, now: number): void {
    const { options } = this;
    if (this.state === 'lingering') {
      this.sendDone();
      return;
    }
    if (this.state === 'opening') {
      this.earlyHello = msg;
      return;
    }
    if (msg.size !== options.size || msg.sha256 !== options.sha256) {
      this.fail(
        new TransferError(
          TransferErrorCode.BadOffer,
          'sender offers a different file than announced',
        ),
      );
      return;
    }
    this.lastEchoTs = msg.ts;
    this.lastDataAt = now;
    if (this.state === 'waiting') {
      this.chunkSize = msg.chunkSize;
      const total = Math.ceil(options.size / msg.chunkSize);
      this.window = new ReceiveWindow(total);
      this.window.markHeld(this.part!.written.toJSON(), msg.chunkSize, options.size);
      this.state = 'receiving';
      this.lastProgressAt = now;
    } else if (msg.chunkSize !== this.chunkSize) {
      return;
    }
    this.sendAck(now);
    this.maybeComplete();
  }

  private onData(msg: Extract<Message, { type: 2 }>, now: number): void {
    const window = this.window;
    if (this.state === 'lingering') {
      this.sendDone();
      return;
    }
    if (!window || this.state === 'waiting') return;
    if (this.state === 'verifying') {
      this.sendAck(now);
      return;
    }
    const offset = msg.chunk * this.chunkSize;
    const expected = Math.min(this.chunkSize, this.options.size - offset);
    if (msg.chunk >= window.total || msg.data.length !== expected) {
      this.stats.malformed++;
      return;
    }
    this.lastEchoTs = msg.ts;
    this.lastDataAt = now;
    const part = this.part!;
    if (window.received.has(msg.chunk)) {
      this.stats.duplicates++;
      this.sendAck(now);
      return;
    }
    if (part.pendingBytes + msg.data.length > this.ctx.config.maxPendingWriteBytes) {
      // The disk is behind: drop rather than buffer without bound; the sender resends it.
      this.stats.writeBackpressure++;
      return;
    }
    const opensHole = msg.chunk > window.highest + 1;
    window.add(msg.chunk);
    this.lastProgressAt = now;
    const write = part.write(offset, msg.data).then(
      () => {
        this.writes.delete(write);
        this.feeder?.poke();
        this.maybeComplete();
      },
      (error: TransferError) => {
        this.writes.delete(write);
        this.fail(error);
      },
    );
    this.writes.add(write);
    this.unacked++;
    if (window.complete) part.flush();
    if (opensHole || this.unacked >= ACK_EVERY || window.complete) this.sendAck(now);
    else this.ackTimer ??= this.timers.setTimeout(() => this.sendAck(this.now()), ACK_DELAY_MS);
  }

  private sendAck(now: number): void {
    this.timers.clear(this.ackTimer);
    this.ackTimer = null;
    this.unacked = 0;
    const window = this.window;
    if (!window || !this.channel) return;
    const flags =
      (window.complete ? AckFlag.Complete : 0) |
      (this.state === 'verifying' ? AckFlag.Verifying : 0);
    this.channel.send({
      type: MessageType.Ack,
      cum: window.cum,
      echoTs: this.lastEchoTs,
      ackDelayUs: Math.max(0, Math.round((now - this.lastDataAt) * 1000)),
      flags,
      bitmap: window.bitmap(),
    });
  }

  private sendDone(): void {
    this.channel?.send({ type: MessageType.Done, status: this.doneStatus });
  }

  protected onTick(now: number): void {
    if (this.state !== 'receiving') return;
    // Staged bytes wait at most one tick for their write (and for hashing and streaming).
    this.part?.flush();
    this.progress.update(this.receivedBytes(), now);
    if (now >= this.nextSidecarAt) {
      this.nextSidecarAt = now + SIDECAR_EVERY_MS;
      void this.part?.saveSidecar();
    }
  }

  private receivedBytes(): number {
    return Math.min(this.options.size, (this.window?.received.count ?? 0) * this.chunkSize);
  }

  private maybeComplete(): void {
    if (this.state !== 'receiving' || !this.window?.complete || this.writes.size > 0) return;
    this.state = 'verifying';
    this.sendAck(this.now());
    void this.verify();
  }

  private async verify(): Promise<void> {
    const { size } = this.options;
    const outcome = await verifyAndSave(
      this.part!,
      this.options,
      this.fileName,
      this.ctx.config.fsync,
    );
    if (this.settled) return;
    if (outcome instanceof TransferError) {
      if (outcome.code === TransferErrorCode.HashMismatch) {
        this.doneStatus = 1;
        this.sendDone();
      }
      // The ABORT that fail() sends (and repeats) backs up a DONE(1) that might be lost.
      this.fail(outcome);
      return;
    }
    this.savedPath = outcome;
    this.state = 'lingering';
    this.sendDone();
    this.progress.update(size, this.now(), true);
    this.feeder?.finish();
    const st = this.stats;
    this.ctx.logger.info('transfer received', {
      transferId: this.transferId,
      peer: `${this.peer.address}:${this.peer.port}`,
      ms: Math.round(this.now() - this.startedAt),
      bytes: size,
      datagrams: st.datagramsReceived,
      duplicates: st.duplicates,
      replays: st.replays,
      authFailures: st.authFailures,
      writeBackpressure: st.writeBackpressure,
      badAddress: st.badAddress,
    });
    this.succeed({ bytes: size, path: outcome, sentBytes: size - this.resumed });
    // Keep answering POLL/DATA with DONE until FIN, or for lingerMs if the FIN is lost.
    this.timers.setTimeout(() => this.dispose(), this.ctx.config.lingerMs);
  }

  protected override beforeShutdown(): void {
    // The sender may have missed our DONE; once the socket closes it could not hear it again.
    if (this.state === 'lingering' && this.savedPath) this.sendDone();
  }

  protected async release(error: TransferError | null): Promise<void> {
    if (this.partKey) this.ctx.activeParts.delete(this.partKey);
    const part = this.part;
    // After a save, engine.close() still waits for the part file's close and sidecar removal.
    if (part?.closing) await part.closing;
    if (!part || this.state === 'lingering') return;
    this.state = 'lingering';
    this.feeder?.stop();
    part.flush();
    await Promise.allSettled([...this.writes]);
    // Keep the bytes for a later resume unless they are known to be bad.
    if (error?.code === TransferErrorCode.HashMismatch) return;
    await part.saveSidecar();
    await part.close();
  }
}
