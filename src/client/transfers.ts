/**
 * Transfer orchestration on the client: the rendezvous through the server, then the UDP
 * engine does the rest. Keeps a table of transfers the faces can show.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Candidate, Endpoint, PushEvent, UdpGrant } from '../protocol/control.js';
import { ErrorCode, ProtocolError } from '../protocol/errors.js';
import { sanitizeFileName } from '../transfer/files/filename.js';
import { mergeCandidates } from '../transfer/path/candidates.js';
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
import {
  type AudiencePath,
  type ChosenPath,
  PathError,
  type PathKind,
  type PathTransfer,
  TransferPaths,
} from './transfer-path.js';

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
  /** How the data flows: its path still being found, or the kind of path it took. */
  route?: 'finding' | PathKind;
  /** Time to find a direct path (ms), or how long one was tried before relaying. */
  routeMs?: number;
  /** Relayed because this client runs with --relay-only. */
  relayOnly?: boolean;
  /** The address the data goes to or comes from (the peer's, or the server's relay). */
  via?: string;
}

export interface TransferEvents {
  'transfer-incoming': [TransferInfo];
  /** A path was chosen (info.route, info.routeMs); the data starts flowing. */
  'transfer-path': [TransferInfo];
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
  /** Running transfers, and accepted ones still finding their path (cancel only). */
  private readonly running = new Map<string, { cancel(reason?: string): void }>();
  /** Audience side of path finding, until a path is chosen; the relay push goes here. */
  private readonly audiencePaths = new Map<string, { relayed(): Promise<void> }>();
  /** Path finding and the relay; `paths.punchMs` is how long a direct path is tried. */
  readonly paths: TransferPaths;
  /** Running receives by presenter, file name and hash: a repeated offer replaces its twin. */
  private readonly receiving = new Map<
    string,
    { cancel(reason?: string): void; done: Promise<unknown> }
  >();
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
    this.paths = new TransferPaths(engine.path, engine.port);
  }

  /** After each login: the server's UDP side and the address the connection reached it at. */
  setServer(grant: UdpGrant | undefined, serverAddress: string): void {
    this.paths.setServer(grant, serverAddress);
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
    const [{ size, sha256 }, candidates] = await Promise.all([
      this.digests.digest(filePath),
      this.paths.gather(),
    ]);
    const keys = this.engine.createKeyPair();
    const reply = await this.connection().request({
      type: 'p2p-offer',
      to,
      filename,
      size,
      sha256,
      publicKey: keys.publicKey,
      ...(candidates.length > 0 ? { candidates } : {}),
    });
    const info = this.newInfo({
      transferId: reply.transferId,
      direction: 'send',
      peer: to,
      filename,
      size,
    });
    const start = (peer: Endpoint, stop?: () => void): void => {
      const transfer = this.engine.send({
        transferId: reply.transferId,
        peer,
        filePath,
        size,
        sha256,
        keys,
        remotePublicKey: reply.publicKey,
      });
      this.attach(info, transfer, stop);
    };
    if (!this.paths.enabled) {
      start(reply.peer);
    } else {
      const remote = mergeCandidates(reply.candidates ?? [], [{ ...reply.peer, kind: 'srflx' }]);
      const t = { transferId: reply.transferId, keys, remotePublicKey: reply.publicKey, remote };
      void this.findPresenterPath(info, { ...t, local: candidates, peerName: to }, start);
    }
    return { transferId: reply.transferId, to, filename, size };
  }

  /** Presenter: finds the path (or the relay), then starts sending; failures end the transfer. */
  private async findPresenterPath(
    info: TransferInfo,
    t: PathTransfer,
    start: (peer: Endpoint, stop: () => void) => void,
  ): Promise<void> {
    let cancelled: string | null = null;
    const abort = new AbortController();
    this.running.set(info.transferId, {
      cancel: (reason = 'cancelled') => {
        cancelled ??= reason;
        abort.abort(reason);
      },
    });
    const relay = async (): Promise<void> => {
      try {
        await this.connection().request({ type: 'p2p-relay', transferId: t.transferId });
      } catch (error) {
        const secs = (this.paths.punchMs / 1000).toFixed(1);
        if (error instanceof ProtocolError && error.code === ErrorCode.RelayDisabled) {
          throw new PathError(
            `no direct path to ${t.peerName} after ${secs} s and the server's relay is off`,
          );
        }
        throw new PathError(
          `no direct path to ${t.peerName} after ${secs} s and the relay was refused: ${(error as Error).message}`,
        );
      }
    };
    let path: ChosenPath;
    try {
      path = await this.paths.presenter(t, relay, abort.signal);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.cancelAtServer(t.transferId, reason);
      this.failPending(info, cancelled ? `transfer cancelled: ${cancelled}` : reason);
      return;
    }
    if (cancelled !== null) {
      path.stop();
      this.failPending(info, `transfer cancelled: ${cancelled}`);
      return;
    }
    this.pathChosen(info, path);
    start(path.peer, path.stop);
  }

  private pathChosen(info: TransferInfo, path: ChosenPath): void {
    info.route = path.kind;
    info.routeMs = path.elapsedMs;
    const { address, port } = path.peer;
    info.via = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
    if (path.relayOnly) info.relayOnly = true;
    this.emit('transfer-path', info);
  }

  /** Tells the other side through the server that this accepted transfer will not start. */
  private cancelAtServer(transferId: string, reason: string): void {
    this.connection()
      .request({ type: 'p2p-cancel', transferId, reason })
      .catch(() => undefined);
  }

  /** A transfer that ended before any data moved. */
  private failPending(info: TransferInfo, error: string): void {
    info.state = 'failed';
    info.error = info.peerOffline ? `${info.peer} went offline` : error;
    this.audiencePaths.delete(info.transferId);
    this.finish(info.transferId);
    this.emit('transfer-failed', info);
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
    const info = this.newInfo({
      transferId: offer.transferId,
      direction: 'receive',
      peer: offer.from,
      filename: offer.filename,
      size: offer.size,
    });
    if (player) info.player = player.name;
    player?.onStartFailure((reason) => {
      info.playerError = reason;
      this.emit('transfer-player-failed', info);
    });
    const start = (peer: Endpoint, stop?: () => void): void => {
      const transfer = this.engine.receive({
        transferId: offer.transferId,
        peer,
        dir: this.downloadDir,
        fileName: `${offer.from}_${safe}`,
        size: offer.size,
        sha256: offer.sha256,
        keys,
        remotePublicKey: offer.publicKey,
        ...(player ? { stream: player.stdin } : {}),
      });
      const key = twinKey(offer);
      this.receiving.set(key, transfer);
      const forget = () => {
        if (this.receiving.get(key) === transfer) this.receiving.delete(key);
      };
      transfer.done.then(forget, forget);
      transfer.on('resumed', (r: { bytes: number }) => {
        info.resumed = r.bytes;
        this.emit('transfer-resumed', info);
      });
      this.attach(info, transfer, stop);
    };
    this.emit('transfer-incoming', info);
    if (!this.paths.enabled) {
      start(offer.peer);
      this.answer(offer.transferId, true, keys.publicKey, '');
      return;
    }
    // Until a path is chosen, a repeated offer of the same file replaces this one too.
    let ended = (): void => {};
    const pendingDone = new Promise<void>((resolve) => {
      ended = resolve;
    });
    let path: AudiencePath | null = null;
    const fail = (why: string): void => {
      if (info.state !== 'running') return;
      path?.stop();
      player?.stdin.end();
      this.failPending(info, why);
      ended();
    };
    const pending = { cancel: (reason = 'cancelled') => fail(`transfer cancelled: ${reason}`) };
    const key = twinKey(offer);
    this.receiving.set(key, { ...pending, done: pendingDone });
    this.running.set(offer.transferId, pending);
    void this.paths.gather().then((local) => {
      if (info.state !== 'running') return;
      const remote = mergeCandidates(offer.candidates ?? [], [{ ...offer.peer, kind: 'srflx' }]);
      const t = {
        transferId: offer.transferId,
        keys,
        remotePublicKey: offer.publicKey,
        remote,
        local,
        peerName: offer.from,
      };
      try {
        path = this.paths.audience(t, (chosen) => {
          this.audiencePaths.delete(offer.transferId);
          if (this.receiving.get(key)?.done === pendingDone) this.receiving.delete(key);
          this.pathChosen(info, chosen);
          start(chosen.peer, chosen.stop);
          ended();
        });
      } catch (error) {
        // An unusable key from the presenter: accepted as before, then failed with the reason.
        this.answer(offer.transferId, true, keys.publicKey, '', local);
        this.cancelAtServer(offer.transferId, (error as Error).message);
        fail((error as Error).message);
        return;
      }
      path.failed((error) => {
        this.cancelAtServer(offer.transferId, error.message);
        fail(error.message);
      });
      this.audiencePaths.set(offer.transferId, path);
      this.answer(offer.transferId, true, keys.publicKey, '', local);
    });
  }

  /** The presenter chose the server's relay for this transfer. */
  onRelay(transferId: string): void {
    void this.audiencePaths.get(transferId)?.relayed();
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

  private answer(
    transferId: string,
    accept: boolean,
    publicKey: string,
    reason: string,
    candidates: Candidate[] = [],
  ): void {
    this.connection()
      .request({
        type: 'p2p-answer',
        transferId,
        accept,
        publicKey,
        reason,
        ...(candidates.length > 0 ? { candidates } : {}),
      })
      .catch((err: Error) => this.onCancelled(transferId, err.message));
  }

  /** A row for the faces from the moment the transfer is accepted, before any data moves. */
  private newInfo(
    base: Pick<TransferInfo, 'transferId' | 'direction' | 'peer' | 'filename' | 'size'>,
  ): TransferInfo {
    const info: TransferInfo = {
      ...base,
      bytes: 0,
      rate: 0,
      eta: null,
      state: 'running',
      ...(this.paths.enabled ? { route: 'finding' as const } : {}),
    };
    this.table.set(info.transferId, info);
    this.running.set(info.transferId, { cancel: () => undefined });
    return info;
  }

  /** The engine's transfer now carries `info`; `stop` ends the path's keep-alives with it. */
  private attach(info: TransferInfo, transfer: Transfer, stop?: () => void): void {
    this.running.set(info.transferId, transfer);
    transfer.on('progress', (p: { bytes: number; rate: number; eta: number | null }) => {
      info.bytes = p.bytes;
      info.rate = p.rate;
      info.eta = p.eta;
      this.emit('transfer-progress', info);
    });
    transfer.done.then(
      (result) => {
        stop?.();
        info.state = 'done';
        info.bytes = info.size;
        info.eta = 0;
        if (result.path) info.path = result.path;
        if (result.sentBytes !== undefined) info.sent = result.sentBytes;
        this.finish(info.transferId);
        this.emit('transfer-complete', info);
      },
      (err: Error) => {
        stop?.();
        info.state = 'failed';
        info.error = info.peerOffline ? `${info.peer} went offline` : err.message;
        this.finish(info.transferId);
        this.emit('transfer-failed', info);
      },
    );
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
