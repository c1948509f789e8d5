/**
 * Between a cluster node and the server's owners: applies the other nodes' changes to this
 * node's copies (presence, groups, blocks, revoked tickets), hands their pushes to local
 * sessions, reaps dead nodes, and gives the handlers the few cluster steps they take (claim
 * at login, release at logout, away, redelivery at sign-in). docs/CLUSTER.md has the design.
 */
import type { PushEvent } from '../../protocol/control.js';
import type { MessageEvent } from '../../protocol/server-frames.js';
import type { ClientSession, ServerContext } from '../context.js';
import { announcePresence } from '../notify.js';
import type { OnlineUser, RemoteUser } from '../presence.js';
import { REMOTE_SESSION_ID } from '../transfers.js';
import type { ClusterEvent, ClusterListener, ClusterNode } from './cluster-node.js';
import type { ClusterHooks, TransferRequest } from './hooks.js';

/** Pushes kept for a user who is gone: the rest (presence, broadcasts, transfers) are moments. */
const DURABLE = new Set<PushEvent['type']>(['message', 'group-message', 'receipt', 'group-invite']);

/** A push is forwarded at most this often when its user keeps moving between nodes. */
const MAX_HOPS = 3;

/** Undelivered direct messages sent again at one sign-in. */
const REDELIVER_LIMIT = 500;

/** A forwarded transfer request, travelling as a push between nodes (never to a client). */
interface ForwardedRequest {
  type: 'x-transfer-request';
  from: string;
  request: TransferRequest;
}

export type { ClusterHooks, TransferRequest } from './hooks.js';

/** Transfers whose offer passed through this node, remembered this long for their answers. */
const OFFER_MEMORY_MS = 10 * 60_000;

/** Undelivered direct messages: the part of the shared store redelivery reads. */
export interface UndeliveredSource {
  undelivered(
    username: string,
    limit: number,
  ): Promise<Array<{ n: number; ts: number; from: string; text: string }>>;
}

/** Stands in for a session on another node: what is pushed to it goes through Redis. */
class RemoteSession implements ClientSession {
  readonly id = REMOTE_SESSION_ID;
  readonly address: string;
  readonly user: OnlineUser;

  constructor(
    private readonly node: ClusterNode,
    private readonly remote: RemoteUser,
  ) {
    this.address = remote.address;
    this.user = remote;
  }

  admit(): void {}

  push(event: PushEvent): void {
    this.node.deliver(this.remote.instance, this.remote.username, event);
  }

  pushMessage(event: MessageEvent): void {
    this.push(event);
  }

  endAfterReply(): void {}

  shutdown(reason: string, code?: string): void {
    this.push({ type: 'bye', reason, ...(code !== undefined ? { code } : {}) });
  }
}

export class ClusterBridge implements ClusterListener, ClusterHooks {
  private ctx: ServerContext | null = null;
  /** Sessions already given their undelivered messages. */
  private readonly redelivered = new WeakSet<ClientSession>();
  /** Sign-outs Redis did not take yet (it was away); tried again at each rejoin. */
  private readonly unreleased = new Set<string>();
  /** Offers delivered here from another node: transfer id → the presenter's instance, when. */
  private readonly offers = new Map<string, { instance: string; at: number }>();

  constructor(
    private readonly node: ClusterNode,
    private readonly undelivered: UndeliveredSource,
  ) {}

  /** Makes the stand-in for a remote user (Presence.useRemoteSessions). */
  remoteSession = (user: RemoteUser): ClientSession => new RemoteSession(this.node, user);

  attach(ctx: ServerContext): void {
    this.ctx = ctx;
    ctx.auth.attempts.onAttempt = (user, failed) => {
      this.node.publish({ k: 'attempt', user, failed }).catch((err: unknown) => {
        ctx.logger.warn('cluster login attempt not told', { error: String(err) });
      });
    };
  }

  private get context(): ServerContext {
    if (this.ctx === null) throw new Error('cluster bridge used before attach()');
    return this.ctx;
  }

  // ---- the handlers' steps ----

  async claim(user: OnlineUser): Promise<boolean> {
    this.unreleased.delete(user.username);
    const holder = await this.node.claim(user);
    if (holder === null) return true;
    // Live elsewhere: the mirror may not know yet.
    this.context.presence.setRemote(holder);
    return false;
  }

  released(username: string): void {
    const ctx = this.context;
    this.node.release(username, ctx.clock.now()).catch((err: unknown) => {
      this.unreleased.add(username);
      ctx.logger.warn('cluster sign-out not recorded; will retry', {
        username,
        error: String(err),
      });
    });
  }

  awayChanged(user: OnlineUser): void {
    this.node.setAway(user).catch((err: unknown) => {
      this.context.logger.warn('cluster away not recorded', { error: String(err) });
    });
  }

  async redeliver(session: ClientSession, username: string): Promise<void> {
    if (this.redelivered.has(session)) return;
    this.redelivered.add(session);
    const records = await this.undelivered.undelivered(username, REDELIVER_LIMIT);
    for (const r of records) {
      session.pushMessage({
        type: 'message',
        from: r.from,
        text: r.text,
        ts: r.ts,
        id: r.n,
        offline: true,
      } as MessageEvent);
    }
  }

  retain(username: string, event: PushEvent): void {
    this.node.retain(username, event);
  }

  forward(username: string, request: TransferRequest): boolean {
    const known = this.offers.get(request.transferId);
    if (!known) return false;
    const forwarded: ForwardedRequest = { type: 'x-transfer-request', from: username, request };
    this.node.deliver(known.instance, '', forwarded as unknown as PushEvent);
    return true;
  }

  /** Acts on a transfer request forwarded by the audience's (or presenter's) node. */
  private forwarded(message: ForwardedRequest): void {
    const ctx = this.context;
    const session = ctx.presence.session(message.from);
    if (!session) return;
    const { request } = message;
    try {
      if (request.type === 'p2p-answer') ctx.transfers.answer(session, request);
      else ctx.transfers.cancel(session, request.transferId, request.reason);
    } catch (err) {
      ctx.logger.info('forwarded transfer request refused', {
        transferId: request.transferId,
        error: String(err),
      });
    }
  }

  /** Notes where a transfer's offer came from, so its answer can go back there. */
  private rememberOffer(event: PushEvent): void {
    if (event.type !== 'transfer-offer') return;
    const presenter = this.context.presence.remoteUser(event.from);
    if (!presenter) return;
    const now = this.context.clock.now();
    for (const [id, o] of this.offers) {
      if (now - o.at < OFFER_MEMORY_MS) break;
      this.offers.delete(id);
    }
    this.offers.set(event.transferId, { instance: presenter.instance, at: now });
  }

  // ---- the node's listener ----

  event(event: ClusterEvent): void {
    const ctx = this.context;
    switch (event.k) {
      case 'online': {
        const local = ctx.presence.localSession(event.user.username);
        // Claimed elsewhere while this node thought it held them (Redis was away too long).
        if (local) local.shutdown('signed in on another server node');
        const known = ctx.presence.remoteUser(event.user.username);
        ctx.presence.setRemote(event.user);
        ctx.presence.lastSeen.set(event.user.username, event.user.since);
        // A takeover of a user still mirrored (their old node died) is no new login to tell.
        if (!known) announcePresence(ctx, event.user.username, 'online');
        break;
      }
      case 'offline': {
        // Transfers this node brokers for them end as a local sign-out's would.
        const stand = ctx.presence.remoteUser(event.user);
        if (stand?.instance === event.instance) {
          const session = ctx.presence.session(event.user);
          if (session) ctx.transfers.sessionEnded(session);
        }
        if (ctx.presence.removeRemote(event.user, event.instance)) {
          ctx.presence.lastSeen.set(event.user, event.ts);
          announcePresence(ctx, event.user, 'offline');
        }
        break;
      }
      case 'away': {
        const known = ctx.presence.remoteUser(event.user);
        if (!known || known.instance !== event.instance) break;
        const { away: _old, ...rest } = known;
        ctx.presence.setRemote(event.text !== undefined ? { ...rest, away: event.text } : rest);
        if (event.text === undefined) announcePresence(ctx, event.user, 'back');
        else announcePresence(ctx, event.user, 'away', event.text);
        break;
      }
      case 'group':
        ctx.groups.adopt(event.group).catch((err: unknown) => {
          ctx.logger.error('group log file not created', {
            group: event.group.name,
            error: String(err),
          });
        });
        break;
      case 'member':
        ctx.groups.applyMember(
          event.group,
          event.member.username,
          event.member.state,
          event.member.invitedBy,
        );
        break;
      case 'left':
        ctx.groups.applyLeft(event.group, event.username);
        break;
      case 'block':
        ctx.blocks.applyRemote(event.owner, event.other, event.blocked);
        break;
      case 'revoke':
        ctx.tickets.applyRevoked(event.id, event.expires);
        break;
      case 'attempt':
        ctx.auth.attempts.applyRemote(event.user, event.failed);
        break;
    }
  }

  deliver(user: string, event: PushEvent, hops: number): void {
    const ctx = this.context;
    if ((event.type as string) === 'x-transfer-request') {
      this.forwarded(event as unknown as ForwardedRequest);
      return;
    }
    this.rememberOffer(event);
    const local = ctx.presence.localSession(user);
    if (local) {
      // The receiving node learns who talked too: both hear of each other's presence.
      if (event.type === 'message') ctx.presence.talked(event.from, user);
      local.push(event);
      return;
    }
    const remote = ctx.presence.remoteUser(user);
    if (remote && hops < MAX_HOPS) {
      this.node.deliver(remote.instance, user, event, hops + 1);
      return;
    }
    this.keep(user, event);
  }

  /** A push for a user who is not online: queued if it matters, dropped if it was a moment. */
  private keep(user: string, event: PushEvent): void {
    if (!DURABLE.has(event.type)) return;
    const ctx = this.context;
    ctx.store
      .enqueue(user, { ...event, offline: true } as PushEvent)
      .catch((err: unknown) =>
        ctx.logger.error('cluster push not queued', { user, error: String(err) }),
      );
  }

  async reap(
    instance: string,
    users: RemoteUser[],
    pending: Array<[string, PushEvent]>,
  ): Promise<void> {
    const ctx = this.context;
    const now = ctx.clock.now();
    for (const user of users) {
      let released = false;
      try {
        released = await this.node.release(user.username, now, instance);
      } catch (err) {
        ctx.logger.warn('cluster reap: sign-out failed', {
          username: user.username,
          error: String(err),
        });
      }
      if (!released) continue;
      ctx.presence.removeRemote(user.username, instance);
      ctx.console(`${user.username} logout (server node ${nodeName(instance)} is gone)`);
      announcePresence(ctx, user.username, 'offline');
      ctx.lastSeen.record(user.username, now);
    }
    // The dead node's last pushes, delivered or not: sent again where their users are now.
    // Clients drop what they already showed (message ids).
    for (const [user, event] of pending) {
      if (!DURABLE.has(event.type)) continue;
      const session = ctx.presence.session(user);
      if (session) session.push(event);
      else this.keep(user, event);
    }
  }

  async rejoin(): Promise<void> {
    const ctx = this.context;
    for (const name of [...this.unreleased]) {
      try {
        await this.node.release(name, ctx.clock.now());
        this.unreleased.delete(name);
      } catch {
        return;
      }
    }
    for (const name of ctx.presence.localNames()) {
      const user = ctx.presence.user(name);
      if (!user) continue;
      const holder = await this.node.claim(user);
      if (holder !== null) {
        ctx.presence.localSession(name)?.shutdown('signed in on another server node');
      }
    }
    for (const user of await this.node.onlineElsewhere()) ctx.presence.setRemote(user);
  }
}

/** The node id of an instance (`id~suffix`). */
function nodeName(instance: string): string {
  const cut = instance.lastIndexOf('~');
  return cut === -1 ? instance : instance.slice(0, cut);
}
