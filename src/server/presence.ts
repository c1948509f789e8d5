/**
 * Who is online right now: the one owner of the username → session map, and of who has
 * talked to whom directly (the users a presence change is told to besides group peers).
 */
import type { ActiveUser } from '../protocol/control.js';
import type { ClientSession, OnlineUser } from './client-session.js';
import { PartnerGraph } from './partners.js';

export type { OnlineUser } from './client-session.js';

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

  constructor(lastSeen: Map<string, number> = new Map()) {
    this.lastSeen = lastSeen;
  }

  isOnline(username: string): boolean {
    return this.online.has(username);
  }

  /** False when the user is already online (the caller refuses the second login). */
  add(user: OnlineUser, session: ClientSession): boolean {
    if (this.online.has(user.username)) return false;
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

  session(username: string): ClientSession | undefined {
    return this.online.get(username)?.session;
  }

  user(username: string): OnlineUser | undefined {
    return this.online.get(username)?.user;
  }

  /** Online usernames, in login order. */
  names(): string[] {
    return [...this.online.keys()];
  }

  /** Every online user except `exclude`, in login order. */
  list(exclude?: string): ActiveUser[] {
    const out: ActiveUser[] = [];
    for (const { user } of this.online.values()) {
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
