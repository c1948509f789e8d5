/**
 * Transfer orchestration on the client: the rendezvous through the server, then the UDP
 * engine does the rest. Keeps a table of transfers the faces can show.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { PushEvent } from '../protocol/control.js';
import { sanitizeFileName } from '../transfer/files/filename.js';
import type { Transfer, TransferEngine } from '../transfer/types.js';
import type { Connection } from './connection.js';
import { DigestCache, type FileHasher } from './file-digest.js';
import { type PlayerProcess, startPlayer } from './player-process.js';
import {
  DEFAULT_RECEIVE_LIMITS,
  freeBytes,
  type ReceiveLimits,
  receiveRefusal,
} from './receive-check.js';

export type TransferState = 'running' | 'done' | 'failed';

/** What the faces show of one transfer. */
export interface TransferInfo {
  transferId: string;
  direction: 'send' | 'receive';
  /** The other user. */
  peer: string;
  filename: string;
  size: number;
  bytes: number;
  rate: number;
  eta: number | null;
  state: TransferState;
  /** Receiver: where the verified file was saved. */
  path?: string;
  error?: string;
  /** Receiver: the video player fed while receiving (e.g. "ffplay"). */
  player?: string;
  /** Receiver: why the player could not be started (the file is still saved). */
  playerError?: string;
  /** Receiver: bytes an earlier attempt had left on disk, so not sent again. */
  resumed?: number;
  /** Bytes carried this time once done (less than size after a resume). */
  sent?: number;
  /**
   * The server said the other side's session ended, so this transfer was stopped at once
   * (error says who); a receiver kept its bytes for a resume.
   */
  peerOffline?: boolean;
}

export interface TransferEvents {
  'transfer-incoming': [TransferInfo];
  /** The player command could not be started (info.playerError); the file is still saved. */
  'transfer-player-failed': [TransferInfo];
  /** An earlier attempt's bytes were found on disk (info.resumed); only the rest comes. */
  'transfer-resumed': [TransferInfo];
  'transfer-progress': [TransferInfo];
  'transfer-complete': [TransferInfo];
  'transfer-failed': [TransferInfo];
}

/** A /p2pvideo that could not start; the message is for the user. */
export class TransferStartError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TransferStartError';
  }
}

type Offer = Extract<PushEvent, { type: 'transfer-offer' }>;

export class TransferManager {
  private readonly table = new Map<string, TransferInfo>();
  private readonly running = new Map<string, Transfer>();
  /** Running receives by presenter, file name and hash: a repeated offer replaces its twin. */
  private readonly receiving = new Map<string, Transfer>();
  private readonly idleWaiters: Array<() => void> = [];
  private user = '';
  private player: readonly string[] | null = null;
  private readonly digests: DigestCache;

  constructor(
    /** A getter, because a reconnect replaces the connection. */
    private readonly connection: () => Connection,
    private readonly engine: TransferEngine,
    private readonly downloadDir: string,
    private readonly emit: (name: keyof TransferEvents, info: TransferInfo) => void,
    hasher?: FileHasher,
  ) {
    this.digests = new DigestCache(hasher);
  }

  setUser(user: string): void {
    this.user = user;
  }

  /** A player command (argv, no shell) each incoming file is streamed into; null for none. */
  setPlayer(argv: readonly string[] | null): void {
    this.player = argv && argv.length > 0 ? argv : null;
  }

  /** Every transfer of this session, newest last. */
  list(): TransferInfo[] {
    return [...this.table.values()];
  }

  get activeCount(): number {
    return this.running.size;
  }

  /** Resolves when no transfer is running. */
  whenIdle(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async sendFile(
    to: string,
    filePath: string,
  ): Promise<{
    transferId: string;
    to: string;
    filename: string;
    size: number;
  }> {
    const filename = path.basename(filePath);
    if (to === this.user) {
      throw new TransferStartError('SELF', 'You cannot send a file to yourself.');
    }
    await checkReadableFile(filePath, filename);
    // A file changed after this point fails the receiver's SHA-256 check, and its new stat
    // makes the next send hash it again.
    const { size, sha256 } = await this.digests.digest(filePath);
    const keys = this.engine.createKeyPair();
    const reply = await this.connection().request({
      type: 'p2p-offer',
      to,
      filename,
      size,
      sha256,
      publicKey: keys.publicKey,
    });
    const transfer = this.engine.send({
      transferId: reply.transferId,
      peer: reply.peer,
      filePath,
      size,
      sha256,
      keys,
      remotePublicKey: reply.publicKey,
    });
    this.track(transfer, { direction: 'send', peer: to, filename, size });
    return { transferId: reply.transferId, to, filename, size };
  }

  /** Size cap and free-space reserve checked before an offer is accepted. */
  receiveLimits: ReceiveLimits = DEFAULT_RECEIVE_LIMITS;

  onOffer(offer: Offer): void {
    const safe = sanitizeFileName(offer.filename);
    // The presenter's name becomes part of the file name too: it must not hold a path either.
    if (safe === null || /[/\\]/.test(offer.from) || offer.from.startsWith('.')) {
      this.answer(offer.transferId, false, '', 'the file name is not usable');
      return;
    }
    void this.replaceTwin(offer)
      .then(() => freeBytes(this.downloadDir))
      .then((free) => {
        const refusal = receiveRefusal(offer.size, free, this.receiveLimits);
        if (refusal !== null) {
          // Shown as a failed receive: the user learns why nothing arrives.
          this.emit('transfer-failed', {
            transferId: offer.transferId,
            direction: 'receive',
            peer: offer.from,
            filename: offer.filename,
            size: offer.size,
            bytes: 0,
            rate: 0,
            eta: null,
            state: 'failed',
            error: `declined: ${refusal}`,
          });
          this.answer(offer.transferId, false, '', refusal);
          return;
        }
        this.acceptOffer(offer, safe);
      });
  }

  /**
   * A presenter that died mid-transfer and sends the same file again: the old receive would
   * only end at its stall time-out, holding the part file, so the new one could not resume.
   * Only the same presenter (named by the server) can replace its own transfer.
   */
  private async replaceTwin(offer: Offer): Promise<void> {
    const twin = this.receiving.get(twinKey(offer));
    if (!twin) return;
    twin.cancel('the presenter sent the same file again');
    // done settles only after the part file and its sidecar are saved and closed.
    await twin.done.catch(() => undefined);
  }

  private acceptOffer(offer: Offer, safe: string): void {
    const keys = this.engine.createKeyPair();
    const player: PlayerProcess | null = this.player ? startPlayer(this.player) : null;
    const transfer = this.engine.receive({
      transferId: offer.transferId,
      peer: offer.peer,
      dir: this.downloadDir,
      fileName: `${offer.from}_${safe}`,
      size: offer.size,
      sha256: offer.sha256,
      keys,
      remotePublicKey: offer.publicKey,
      ...(player ? { stream: player.stdin } : {}),
    });
    const info = this.track(transfer, {
      direction: 'receive',
      peer: offer.from,
      filename: offer.filename,
      size: offer.size,
    });
    if (player) info.player = player.name;
    const key = twinKey(offer);
    this.receiving.set(key, transfer);
    const forget = () => {
      if (this.receiving.get(key) === transfer) this.receiving.delete(key);
    };
    transfer.done.then(forget, forget);
    player?.onStartFailure((reason) => {
      info.playerError = reason;
      this.emit('transfer-player-failed', info);
    });
    transfer.on('resumed', (r: { bytes: number }) => {
      info.resumed = r.bytes;
      this.emit('transfer-resumed', info);
    });
    this.emit('transfer-incoming', info);
    this.answer(offer.transferId, true, keys.publicKey, '');
  }

  onCancelled(transferId: string, reason: string): void {
    this.running.get(transferId)?.cancel(reason);
  }

  /**
   * The other side's session ended: its process died, its connection dropped or it logged
   * out. Its UDP side cannot be counted on, so stop now rather than at the stall time-out. A
   * receiver that already holds every byte only has to verify and needs nobody.
   */
  onPeerOffline(transferId: string, user: string): void {
    const transfer = this.running.get(transferId);
    const info = this.table.get(transferId);
    if (!transfer || !info || info.peer !== user) return;
    if (info.direction === 'receive' && info.bytes >= info.size) return;
    info.peerOffline = true;
    transfer.cancel(`${user} went offline`);
  }

  cancel(transferId: string, reason = 'cancelled by the user'): boolean {
    const transfer = this.running.get(transferId);
    transfer?.cancel(reason);
    return transfer !== undefined;
  }

  cancelAll(reason: string): void {
    for (const transfer of this.running.values()) transfer.cancel(reason);
  }

  private answer(transferId: string, accept: boolean, publicKey: string, reason: string): void {
    this.connection()
      .request({ type: 'p2p-answer', transferId, accept, publicKey, reason })
      .catch((err: Error) => this.onCancelled(transferId, err.message));
  }

  private track(
    transfer: Transfer,
    base: Pick<TransferInfo, 'direction' | 'peer' | 'filename' | 'size'>,
  ): TransferInfo {
    const info: TransferInfo = {
      ...base,
      transferId: transfer.transferId,
      bytes: 0,
      rate: 0,
      eta: null,
      state: 'running',
    };
    this.table.set(info.transferId, info);
    this.running.set(info.transferId, transfer);
    transfer.on('progress', (p: { bytes: number; rate: number; eta: number | null }) => {
      info.bytes = p.bytes;
      info.rate = p.rate;
      info.eta = p.eta;
      this.emit('transfer-progress', info);
    });
    transfer.done.then(
      (result) => {
        info.state = 'done';
        info.bytes = info.size;
        info.eta = 0;
        if (result.path) info.path = result.path;
        if (result.sentBytes !== undefined) info.sent = result.sentBytes;
        this.finish(info.transferId);
        this.emit('transfer-complete', info);
      },
      (err: Error) => {
        info.state = 'failed';
        info.error = info.peerOffline ? `${info.peer} went offline` : err.message;
        this.finish(info.transferId);
        this.emit('transfer-failed', info);
      },
    );
    return info;
  }

  private finish(transferId: string): void {
    this.running.delete(transferId);
    if (this.running.size === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}

function twinKey(offer: Offer): string {
  return JSON.stringify([offer.from, offer.filename, offer.sha256]);
}

async function checkReadableFile(filePath: string, shown: string): Promise<void> {
  const usage = 'Usage: /p2pvideo USERNAME FILENAME';
  let stat: import('node:fs').Stats;
  try {
    stat = await fs.stat(filePath);
    await fs.access(filePath, fs.constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new TransferStartError('FILE_NOT_FOUND', `File ${shown} does not exist. ${usage}`);
    }
    throw new TransferStartError('FILE_UNREADABLE', `Cannot read ${shown}: ${code ?? err}.`);
  }
  if (!stat.isFile()) {
    throw new TransferStartError('NOT_A_FILE', `${shown} is not a regular file. ${usage}`);
  }
}
