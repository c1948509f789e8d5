/**
 * P2P rendezvous: holds each offer until the audience answers, declines, times out or
 * either side leaves. The file itself never passes through the server. Accepted transfers are
 * remembered until either side's session ends, so the other side hears of it at once instead
 * of waiting out its stall time-out.
 */
import { randomBytes } from 'node:crypto';
import type { Endpoint, ReplyData, Request } from '../protocol/control.js';
import { ErrorCode } from '../protocol/errors.js';
import type { TimerHandle } from '../util/clock.js';
import type { TimerGroup } from '../util/timer-group.js';
import type { ClientSession } from './client-session.js';
import type { OnlineUser } from './presence.js';
import { ServerError } from './server-error.js';

type OfferRequest = Extract<Request, { type: 'p2p-offer' }>;
type AnswerRequest = Extract<Request, { type: 'p2p-answer' }>;
type OfferReply = ReplyData['p2p-offer'];

interface PendingOffer {
  readonly id: string;
  readonly presenter: ClientSession;
  readonly from: string;
  readonly audience: ClientSession;
  readonly audienceUser: OnlineUser;
  readonly filename: string;
  readonly timer: TimerHandle;
  readonly resolve: (reply: OfferReply) => void;
  readonly reject: (error: Error) => void;
}

/** An accepted transfer: the server cannot see it end (the data is peer to peer, or relayed). */
export interface OpenTransfer {
  readonly id: string;
  readonly presenter: ClientSession;
  readonly from: string;
  readonly audience: ClientSession;
  readonly to: string;
}

export const offlineText = (user: string): string => `${user} is offline`;

/** The id of a stand-in session for a user on another cluster node (cluster/cluster-bridge.ts). */
export const REMOTE_SESSION_ID = -1;

/**
 * Accepted transfers remembered per presenter session; the oldest is forgotten first. The
 * server does not hear when a transfer ends, so a session that sends many files would
 * otherwise grow this without bound.
 */
export const MAX_OPEN_PER_PRESENTER = 64;

/** Offers one presenter may have waiting at once; each holds a timer and a pending reply. */
export const MAX_OFFERS_PER_PRESENTER = 8;

export interface BrokerOptions {
  /** Transfer ids; random 8 bytes in hex by default. */
  readonly newId?: () => string;
  /** Whether this server relays transfers (told to both sides with the offer). */
  readonly relay?: boolean;
  /** Called once when an accepted transfer is forgotten (a session ended, cancelled, evicted). */
  readonly onForget?: (transferId: string, reason: string) => void;
}

/** Pending P2P offers by transfer id, each with its time-out, and the accepted ones. */
export class TransferBroker {
  private readonly pending = new Map<string, PendingOffer>();
  private readonly open = new Map<string, OpenTransfer>();
  private readonly newId: () => string;
  private readonly relay: boolean;
  private readonly onForget: (transferId: string, reason: string) => void;

  constructor(
    private readonly timers: TimerGroup,
    private readonly timeoutMs: number,
    options: BrokerOptions = {},
  ) {
    this.newId = options.newId ?? (() => randomBytes(8).toString('hex'));
    this.relay = options.relay ?? false;
    this.onForget = options.onForget ?? (() => {});
  }

  /** Pushes the offer to the audience; resolves when the audience accepts. */
  offer(
    presenter: ClientSession,
    presenterUser: OnlineUser,
    audience: ClientSession,
    audienceUser: OnlineUser,
    req: OfferRequest,
  ): Promise<OfferReply> {
    let waiting = 0;
    for (const offer of this.pending.values()) if (offer.presenter === presenter) waiting += 1;
    if (waiting >= MAX_OFFERS_PER_PRESENTER) {
      throw new ServerError(
        ErrorCode.BadRequest,
        `You already have ${waiting} transfers waiting for an answer. Please wait for one to finish.`,
      );
    }
    let id = this.newId();
    while (this.pending.has(id)) id = this.newId();
    const reply = new Promise<OfferReply>((resolve, reject) => {
      const timer = this.timers.setTimeout(() => this.expire(id), this.timeoutMs);
      this.pending.set(id, {
        id,
        presenter,
        from: presenterUser.username,
        audience,
        audienceUser,
        filename: req.filename,
        timer,
        resolve,
        reject,
      });
    });
    const peer: Endpoint = { address: presenterUser.address, port: presenterUser.udpPort };
    audience.push({
      type: 'transfer-offer',
      transferId: id,
      from: presenterUser.username,
      filename: req.filename,
      size: req.size,
      sha256: req.sha256,
      publicKey: req.publicKey,
      peer,
      candidates: req.candidates ?? [],
      // Both ends must reach the same relay: across cluster nodes the path is direct only.
      relay: this.relay && audience.id !== REMOTE_SESSION_ID,
    });
    return reply;
  }

  /** The audience's answer; throws NO_SUCH_TRANSFER unless it is theirs and still open. */
  answer(audience: ClientSession, req: AnswerRequest): void {
    const offer = this.pending.get(req.transferId);
    if (!offer || offer.audience !== audience) {
      throw new ServerError(ErrorCode.NoSuchTransfer, `No pending transfer ${req.transferId}.`);
    }
    this.settle(offer);
    if (req.accept) {
      this.remember(offer);
      const { address, udpPort } = offer.audienceUser;
      offer.resolve({
        transferId: offer.id,
        peer: { address, port: udpPort },
        publicKey: req.publicKey,
        candidates: req.candidates ?? [],
        relay: this.relay && audience.id !== REMOTE_SESSION_ID,
      });
      return;
    }
    const who = offer.audienceUser.username;
    const why = req.reason.trim() === '' ? '' : `: ${req.reason}`;
    offer.reject(
      new ServerError(
        ErrorCode.TransferDeclined,
        `${who} declined the transfer of ${offer.filename}${why}`,
        { transferId: offer.id, reason: req.reason },
      ),
    );
  }

  /** A session ended: fail or cancel every offer it was part of, tell every open peer. */
  sessionEnded(session: ClientSession): void {
    for (const [transferId, open] of [...this.open]) {
      if (open.presenter === session) {
        this.forget(transferId, `${open.from} left`);
        open.audience.push({ type: 'transfer-peer-offline', transferId, user: open.from });
      } else if (open.audience === session) {
        this.forget(transferId, `${open.to} left`);
        open.presenter.push({ type: 'transfer-peer-offline', transferId, user: open.to });
      }
    }
    for (const offer of [...this.pending.values()]) {
      if (offer.audience === session) {
        this.settle(offer);
        offer.reject(
          new ServerError(ErrorCode.UserOffline, offlineText(offer.audienceUser.username), {
            transferId: offer.id,
          }),
        );
      } else if (offer.presenter === session) {
        this.settle(offer);
        offer.audience.push({
          type: 'transfer-cancelled',
          transferId: offer.id,
          reason: `${offer.from} is offline`,
        });
        offer.reject(new ServerError(ErrorCode.Internal, 'presenter left'));
      }
    }
  }

  /** The accepted transfer `transferId` if `session` is one of its two parties. */
  openFor(session: ClientSession, transferId: string): OpenTransfer | undefined {
    const open = this.open.get(transferId);
    return open && (open.presenter === session || open.audience === session) ? open : undefined;
  }

  /**
   * A party gives up an accepted or pending transfer: the other party is told why and the
   * transfer forgotten. Throws NO_SUCH_TRANSFER unless `session` is one of its parties.
   */
  cancel(session: ClientSession, transferId: string, reason: string): void {
    const who = session.user?.username ?? 'the other side';
    const text = reason.trim() === '' ? `${who} cancelled` : `${who} cancelled: ${reason}`;
    const open = this.openFor(session, transferId);
    if (open) {
      this.forget(transferId, text);
      const other = open.presenter === session ? open.audience : open.presenter;
      other.push({ type: 'transfer-cancelled', transferId, reason: text });
      return;
    }
    const offer = this.pending.get(transferId);
    if (offer?.presenter === session) {
      this.settle(offer);
      offer.audience.push({ type: 'transfer-cancelled', transferId, reason: text });
      offer.reject(
        new ServerError(
          ErrorCode.TransferDeclined,
          `You cancelled the transfer of ${offer.filename}.`,
          {
            transferId,
            reason,
          },
        ),
      );
      return;
    }
    if (offer?.audience === session) {
      // The presenter's offer is still waiting: its reply is how it hears.
      this.settle(offer);
      offer.reject(
        new ServerError(ErrorCode.TransferDeclined, `${text} (transfer of ${offer.filename})`, {
          transferId,
          reason,
        }),
      );
      return;
    }
    throw new ServerError(ErrorCode.NoSuchTransfer, `No transfer ${transferId} of yours.`);
  }

  /** Forgets an accepted transfer without telling its parties (the caller does). */
  forget(transferId: string, reason: string): void {
    if (this.open.delete(transferId)) this.onForget(transferId, reason);
  }

  /** Whether this node holds the transfer (pending or accepted). */
  holds(transferId: string): boolean {
    return this.pending.has(transferId) || this.open.has(transferId);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Accepted transfers whose sessions are both still there. */
  get openCount(): number {
    return this.open.size;
  }

  private remember(offer: PendingOffer): void {
    let mine = 0;
    let oldest: string | undefined;
    for (const [id, open] of this.open) {
      if (open.presenter !== offer.presenter) continue;
      oldest ??= id;
      mine += 1;
    }
    if (mine >= MAX_OPEN_PER_PRESENTER && oldest !== undefined) {
      this.forget(oldest, 'too many transfers open');
    }
    this.open.set(offer.id, {
      id: offer.id,
      presenter: offer.presenter,
      from: offer.from,
      audience: offer.audience,
      to: offer.audienceUser.username,
    });
  }

  private expire(id: string): void {
    const offer = this.pending.get(id);
    if (!offer) return;
    this.pending.delete(id);
    const who = offer.audienceUser.username;
    offer.audience.push({
      type: 'transfer-cancelled',
      transferId: id,
      reason: 'the offer timed out',
    });
    offer.reject(
      new ServerError(
        ErrorCode.TransferTimeout,
        `${who} did not answer the transfer of ${offer.filename} in time.`,
        { transferId: id },
      ),
    );
  }

  private settle(offer: PendingOffer): void {
    this.pending.delete(offer.id);
    this.timers.clear(offer.timer);
  }
}
