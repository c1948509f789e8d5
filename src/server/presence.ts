/**
 * Who is online right now: the one owner of the username → session map, and of who has
 * talked to whom directly (the users a presence change is told to besides group peers).
 */
import type { ActiveUser } from '../protocol/control.js';
import type { ClientSession, OnlineUser } from './client-session.js';
import { PartnerGraph } from './partners.js';

export type { OnlineUser } from './client-session.js';

/** A user signed in on another node of the cluster, as this node's mirror holds them. */
export interface RemoteUser extends OnlineUser {
  /** The node instance that holds their session. */
  readonly instance: string;
}

/** Makes the stand-in session that reaches a remote user through their node. */
export type RemoteSessionFactory = (user: RemoteUser) => ClientSession;

/** Online users by name, each with the one session that owns the name. */
export class Presence {
  private readonly online = new Map<string, { user: OnlineUser; session: ClientSession }>();
  /** Who exchanged direct messages with whom since the server started. */
  private readonly partnerGraph = new PartnerGraph();
  /** Last login or logout of every user ever seen, ms since the epoch (kept in the store). */
  readonly lastSeen: Map<string, number>;
  /** Goes up with every login, logout and away change. */
  private changes = 0;
  /** Each online user's last `activeuser` tag and the version it was made at. */
  private readonly tags = new Map<string, { version: number; tag: number }>();
  /**
   * Users online on other nodes (cluster mode; always empty on a single node), each with the
   * stand-in session that pushes to them through Redis.
   */
  private readonly remote = new Map<string, { user: RemoteUser; session: ClientSession }>();
  private remoteSession: RemoteSessionFactory | null = null;

  constructor(lastSeen: Map<string, number> = new Map()) {
    this.lastSeen = lastSeen;
  }

  /** Cluster mode: how sessions on other nodes are reached. */
  useRemoteSessions(factory: RemoteSessionFactory): void {
    this.remoteSession = factory;
  }

  isOnline(username: string): boolean {
    return this.online.has(username) || this.remote.has(username);
  }

  /** True when the user's session is on this node. */
  isLocal(username: string): boolean {
    return this.online.has(username);
  }

  /** The user's session if it is on this node (never a remote stand-in). */
  localSession(username: string): ClientSession | undefined {
    return this.online.get(username)?.session;
  }

  /** Locally signed-in usernames, in login order. */
  localNames(): string[] {
    return [...this.online.keys()];
  }

  /** Records (or updates) a user online on another node. */
  setRemote(user: RemoteUser): void {
    if (this.remoteSession === null) return;
    const known = this.remote.get(user.username);
    if (known && known.user.instance === user.instance) {
      const mutable = known.user as { away?: string };
      if (user.away === undefined) delete mutable.away;
      else mutable.away = user.away;
    } else {
      this.remote.set(user.username, { user, session: this.remoteSession(user) });
      this.tags.delete(user.username);
    }
    this.changes += 1;
  }

  /** Forgets a remote user if `instance` (when given) is still the node holding them. */
  removeRemote(username: string, instance?: string): boolean {
    const known = this.remote.get(username);
    if (!known || (instance !== undefined && known.user.instance !== instance)) return false;
    this.remote.delete(username);
    this.changes += 1;
    return true;
  }

  /** Remote users held by `instance`. */
  remoteOn(instance: string): string[] {
    const out: string[] = [];
    for (const [name, { user }] of this.remote) if (user.instance === instance) out.push(name);
    return out;
  }

  /** The remote user's entry, if online on another node. */
  remoteUser(username: string): RemoteUser | undefined {
    return this.remote.get(username)?.user;
  }

  /** False when the user is already online (the caller refuses the second login). */
  add(user: OnlineUser, session: ClientSession): boolean {
    if (this.online.has(user.username)) return false;
    // In a cluster the node's claim in Redis decides about remote sessions; a remote entry
    // still mirrored here belongs to a node that is gone or is being replaced.
    this.remote.delete(user.username);
    this.online.set(user.username, { user, session });
    this.changes += 1;
    return true;
  }

  /** Removes the user only if this session is the one online, so a refused duplicate login cannot evict the real one. */
  remove(username: string, session: ClientSession): boolean {
    const entry = this.online.get(username);
    if (!entry || entry.session !== session) return false;
    this.online.delete(username);
    this.tags.delete(username);
    this.changes += 1;
    return true;
  }

  /** Marks an online user away with `text`, or back with undefined. */
  setAway(user: OnlineUser, text: string | undefined): void {
    if (text === undefined) delete user.away;
    else user.away = text;
    this.changes += 1;
  }

  /** Goes up whenever the list of online users changes (never down). */
  get version(): number {
    return this.changes;
  }

  /** The tag last made for `username`'s list, if made at `version` (so still true). */
  tagAt(username: string, version: number): number | undefined {
    const t = this.tags.get(username);
    return t?.version === version ? t.tag : undefined;
  }

  rememberTag(username: string, version: number, tag: number): void {
    if (this.online.has(username)) this.tags.set(username, { version, tag });
  }

  /** Records that `a` and `b` exchanged a direct message: each hears of the other's presence. */
  talked(a: string, b: string): void {
    this.partnerGraph.link(a, b);
  }

  /** Users `username` has exchanged direct messages with since the server started (online or not). */
  partners(username: string): string[] {
    return this.partnerGraph.of(username);
  }

  /** The user's session: on this node, or the stand-in that reaches their node. */
  session(username: string): ClientSession | undefined {
    return this.online.get(username)?.session ?? this.remote.get(username)?.session;
  }

  user(username: string): OnlineUser | undefined {
    return this.online.get(username)?.user ?? this.remote.get(username)?.user;
  }

  /** Online usernames, in login order (across the cluster: by login time). */
  names(): string[] {
    if (this.remote.size === 0) return [...this.online.keys()];
    return this.entries().map((u) => u.username);
  }

  /** Local and remote users by login time, local first on a tie. */
  private entries(): OnlineUser[] {
    const all: OnlineUser[] = [];
    for (const { user } of this.online.values()) all.push(user);
    if (this.remote.size === 0) return all;
    for (const { user } of this.remote.values()) all.push(user);
    // Stable: local users keep their order among equal times.
    return all.sort((a, b) => a.since - b.since);
  }

  /** Every online user except `exclude`, in login order. */
  list(exclude?: string): ActiveUser[] {
    const out: ActiveUser[] = [];
    for (const user of this.entries()) {
      if (user.username === exclude) continue;
      out.push({
        username: user.username,
        address: user.address,
        udpPort: user.udpPort,
        since: user.since,
        ...(user.away !== undefined ? { away: user.away } : {}),
      });
    }
    return out;
  }
}
