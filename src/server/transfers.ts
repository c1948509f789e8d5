/**
 * P2P rendezvous: holds each offer until the audience answers, declines, times out or
 * either side leaves. The file itself never passes through the server. Accepted transfers are
 * remembered until either side's session ends, so the other side hears of it at once instead
 * of waiting out its stall time-out.
 */
import { randomBytes } from 'node:crypto';
import type { Endpoint, ReplyData, Request } from '../protocol/control.js';
import { ErrorCode } from '../protocol/errors.js';
import type { ClientSession } from './context.js';
import type { OnlineUser } from './presence.js';
import { ServerError } from './server-error.js';
import type { TimerGroup, TimerHandle } from './timers.js';

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

/** An accepted transfer: the server cannot see it end (the data is peer to peer). */
interface OpenTransfer {
  readonly presenter: ClientSession;
  readonly from: string;
  readonly audience: ClientSession;
  readonly to: string;
}

export const offlineText = (user: string): string => `${user} is offline`;

/**
 * Accepted transfers remembered per presenter session; the oldest is forgotten first. The
 * server does not hear when a transfer ends, so a session that sends many files would
 * otherwise grow this without bound.
 */
export const MAX_OPEN_PER_PRESENTER = 64;

/** Offers one presenter may have waiting at once; each holds a timer and a pending reply. */
export const MAX_OFFERS_PER_PRESENTER = 8;

/** Pending P2P offers by transfer id, each with its time-out. */
export class TransferBroker {
  private readonly pending = new Map<string, PendingOffer>();
  private readonly open = new Map<string, OpenTransfer>();

  constructor(
    private readonly timers: TimerGroup,
    private readonly timeoutMs: number,
    private readonly newId: () => string = () => randomBytes(8).toString('hex'),
  ) {}

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
      const timer = this.timers.set(() => this.expire(id), this.timeoutMs);
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
      relay: false,
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
        relay: false,
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
        this.open.delete(transferId);
        open.audience.push({ type: 'transfer-peer-offline', transferId, user: open.from });
      } else if (open.audience === session) {
        this.open.delete(transferId);
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
    if (mine >= MAX_OPEN_PER_PRESENTER && oldest !== undefined) this.open.delete(oldest);
    this.open.set(offer.id, {
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
