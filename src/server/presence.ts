/**
 * Who is online right now: the one owner of the username → session map, and of who has
 * talked to whom directly (the users a presence change is told to besides group peers).
 */
import type { ActiveUser } from '../protocol/control.js';
import type { ClientSession } from './context.js';

/** A logged-in user and where their client listens for transfers. */
export interface OnlineUser {
  username: string;
  address: string;
  udpPort: number;
  /** Login time, ms since the epoch. */
  since: number;
  /** Set while away: the away text (may be empty). */
  away?: string;
}

/**
 * Direct-message partners remembered per user. Bounded so a user who writes to everyone
 * cannot grow the map without limit: past the cap the oldest partner is forgotten (and
 * learned again at the next message).
 */
export const MAX_PARTNERS = 256;

const NO_PARTNERS: ReadonlySet<string> = new Set();

/** Online users by name, each with the one session that owns the name. */
export class Presence {
  private readonly online = new Map<string, { user: OnlineUser; session: ClientSession }>();
  /** username → users they exchanged direct messages with since the server started. */
  private readonly partnersOf = new Map<string, Set<string>>();
  /** Last login or logout of every user ever seen, ms since the epoch (kept in the store). */
  readonly lastSeen: Map<string, number>;

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
    return true;
  }

  /** Removes the user only if this session is the one online, so a refused duplicate login cannot evict the real one. */
  remove(username: string, session: ClientSession): boolean {
    const entry = this.online.get(username);
    if (!entry || entry.session !== session) return false;
    this.online.delete(username);
    return true;
  }

  /** Records that `a` and `b` exchanged a direct message: each hears of the other's presence. */
  talked(a: string, b: string): void {
    this.link(a, b);
    this.link(b, a);
  }

  /** Users `username` has exchanged direct messages with (online or not). */
  partners(username: string): ReadonlySet<string> {
    return this.partnersOf.get(username) ?? NO_PARTNERS;
  }

  private link(from: string, to: string): void {
    let set = this.partnersOf.get(from);
    if (set === undefined) {
      set = new Set();
      this.partnersOf.set(from, set);
    }
    if (set.has(to)) return;
    if (set.size >= MAX_PARTNERS) set.delete(set.values().next().value as string);
    set.add(to);
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
