/**
 * The server's durable state behind one interface: groups and memberships, message history,
 * offline queues, block lists and last-seen times. The embedded default is SQLite
 * (sqlite-store.ts); a multi-node mode can put the same interface on a shared service, so
 * every method is asynchronous even where SQLite would not need it to be.
 *
 * A write resolves only once it is durable: the server acknowledges nothing before that.
 */
import type { PushEvent } from '../protocol/control.js';
import type { StoreOutage } from './store-outage.js';

export type MemberState = 'joined' | 'invited';

/** Default cap of one user's offline queue: a flood cannot fill the disk for someone away. */
export const MAX_QUEUED = 10_000;

/** A direct message refused because the receiver's offline queue is at its cap. */
export class QueueFullError extends Error {
  constructor(readonly username: string) {
    super(`offline queue of ${username} is full`);
    this.name = 'QueueFullError';
  }
}

/**
 * The store could not take a write, and nothing of it was stored: its disk is full
 * (`disk-full`), or the shared service it lives on (Redis) cannot be reached (`unreachable`).
 * The server tells the sender what happened instead of a bare internal error.
 */
export class StoreUnavailableError extends Error {
  constructor(
    readonly reason: 'disk-full' | 'unreachable',
    options?: { cause?: unknown },
  ) {
    super(
      reason === 'disk-full' ? 'the store is out of disk space' : 'the store is unreachable',
      options,
    );
    this.name = 'StoreUnavailableError';
  }
}

/** One /msgto, numbered globally (its messagelog.txt number). */
export interface DirectRecord {
  n: number;
  ts: number;
  from: string;
  to: string;
  text: string;
  /** When the receiver's client confirmed it, ms since the epoch; null until then. */
  deliveredAt: number | null;
}

/** One group message, numbered per group (its `<group>_messagelog.txt` number). */
export interface GroupRecord {
  group: string;
  n: number;
  ts: number;
  from: string;
  text: string;
}

/** The push a group message waits as in an offline member's queue. */
export function queuedGroupMessage(m: Omit<GroupRecord, 'n'>): PushEvent {
  return {
    type: 'group-message',
    group: m.group,
    from: m.from,
    text: m.text,
    ts: m.ts,
    offline: true,
  };
}

export interface MemberRecord {
  username: string;
  state: MemberState;
  /** Who invited them; null for the creator. */
  invitedBy: string | null;
}

/** A group as stored: members in the order they were added, creator first. */
export interface StoredGroup {
  name: string;
  creator: string;
  createdAt: number;
  members: MemberRecord[];
}

/** Everything the server keeps in memory, read once at start-up. */
export interface StoreSnapshot {
  groups: StoredGroup[];
  /** [owner, blocked] pairs. */
  blocks: Array<[string, string]>;
  /** username → last time seen (login or logout), ms since the epoch. */
  lastSeen: Map<string, number>;
}

/** A new direct message; `queued` when the receiver is offline and gets it at next login. */
export interface NewDirect {
  ts: number;
  from: string;
  to: string;
  text: string;
  queued: boolean;
}

/** The durable state. Writes resolve once committed; numbering is assigned by the store. */
export interface ChatStore {
  /**
   * Refused writes (StoreUnavailableError) and whether they were reported, so the server logs
   * an outage once; a store without one has each refusal logged.
   */
  readonly outage?: StoreOutage;
  load(): Promise<StoreSnapshot>;
  /**
   * Numbers below this are taken (e.g. by a messagelog.txt older than the database), so
   * direct-message numbering continues after them.
   */
  reserveDirectNumbers(last: number): void;
  /**
   * Stores a /msgto (and, when `queued`, its delivery for the receiver's next login); rejects
   * with QueueFullError when that queue is at its cap.
   */
  addDirect(message: NewDirect): Promise<DirectRecord>;
  /** Stores a group message and queues it for the offline joined members listed (skipping full queues). */
  addGroupMessage(
    message: Omit<GroupRecord, 'n'>,
    offlineMembers: readonly string[],
  ): Promise<GroupRecord>;
  /** False (and nothing stored) when a shared store already has a group of that name. */
  createGroup(group: StoredGroup): Promise<void | false>;
  setMember(group: string, member: MemberRecord): Promise<void>;
  removeMember(group: string, username: string): Promise<void>;
  /** Adds a push event to a user's offline queue (dropped when the queue is full). */
  enqueue(username: string, event: PushEvent): Promise<void>;
  /**
   * Up to `limit` of a user's queued events, oldest first, how many are left after them and
   * the last one's queue id. With `ackThrough`, rows up to that id are deleted first and the
   * returned ones stay until acknowledged (at-least-once); without it the returned rows are
   * deleted at once (at-most-once, for old clients).
   */
  takeQueue(
    username: string,
    limit: number,
    ackThrough?: number,
  ): Promise<{ events: PushEvent[]; remaining: number; lastId: number }>;
  /**
   * Marks message n delivered if it was sent to `to`; null when no such message. `first` is
   * false when it had been marked before (the earlier time is kept).
   */
  markDelivered(
    n: number,
    to: string,
    at: number,
  ): Promise<{ record: DirectRecord; first: boolean } | null>;
  setBlocked(owner: string, other: string, blocked: boolean): Promise<void>;
  setLastSeen(username: string, ts: number): Promise<void>;
  /** The last `limit` messages between two users, oldest first. */
  directHistory(a: string, b: string, limit: number): Promise<DirectRecord[]>;
  /** The last `limit` messages of a group, oldest first. */
  groupHistory(group: string, limit: number): Promise<GroupRecord[]>;
  /**
   * Direct messages numbered above n, in order (log repair after a crash); on a shared store,
   * the records this node wrote.
   */
  directAfter(n: number): Promise<DirectRecord[]>;
  /**
   * A group's messages numbered above n, in order (log repair after a crash); on a shared
   * store, the records this node wrote.
   */
  groupAfter(group: string, n: number): Promise<GroupRecord[]>;
  /** Commits what is pending and closes. */
  close(): Promise<void>;
}
