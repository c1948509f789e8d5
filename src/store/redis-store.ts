/**
 * The ChatStore on a Redis shared by several server nodes (issue 14), with the SQLite store's
 * semantics so the same server code runs on either. Every write is one Lua script
 * (redis-scripts.ts): one round trip, stored wholly or not at all. With `appendonly yes` and
 * `appendfsync always` Redis answers a write only after the append-only file has been
 * fsynced, so a resolved write is durable; with `everysec` up to a second of resolved writes
 * is lost when the machine dies, with `appendonly no` everything since the last snapshot.
 * A write whose answer is lost with the connection may have been stored (StoreUnavailableError
 * says only that it is not known to be).
 *
 * Keys, all under the prefix (`tsg:`): usernames have no `|`, group names are letters and
 * digits (the server checks both), so no two keys of different kinds can meet. An index is a
 * list of message numbers in ascending order (appended as they are assigned): cheaper to
 * append and far smaller than a sorted set.
 *
 * | key | type | what |
 * |---|---|---|
 * | `dm:last` | string | the last direct-message number (INCR, cluster-wide) |
 * | `dm` | hash n → JSON [ts, from, to, text, node, deliveredAt] | every direct message |
 * | `dp:<a>\|<b>` | list of n | a pair's messages (a ≤ b), for /history |
 * | `dn:<node>` | list of n | the direct messages that node wrote (log repair) |
 * | `dm:nodes` | set | the nodes that wrote direct messages (the merged log view) |
 * | `ud:<user>` | list of n | direct messages to the user not yet confirmed (the newest maxQueued) |
 * | `qid` | string | the last offline-queue id (INCR) |
 * | `q:<user>` | list of `<id>:<event JSON>` | the user's offline queue, at most maxQueued |
 * | `groups` | list | group names in creation order |
 * | `g:<group>` | hash creator, createdAt, last (message n), pos (member counter) | a group |
 * | `gm:<group>` | hash user → JSON [pos, state, invitedBy] | its members |
 * | `gr:<group>` | hash n → JSON [ts, from, text, node] | its messages, numbered 1, 2, ... |
 * | `gn:<group>\|<node>` | list of n | its messages that node wrote (log repair) |
 * | `blocks` | sorted set JSON [owner, blocked], score from `blocks:seq` | block pairs in order |
 * | `seen` | hash user → ts | last-seen times |
 *
 * Memory: queues and the undelivered index are capped per user; history is kept whole, as
 * SQLite keeps it. A production deployment would trim `dm`, `dp:*`, `gr:*` and the `dn:`/`gn:`
 * indexes to a retention window (older history to a cold store, the indexes LTRIMmed with
 * it), and split `dm` into one hash per range of numbers so that Redis Cluster can spread it.
 */
import type { Redis } from 'ioredis';
import type { PushEvent } from '../protocol/control.js';
import {
  decode,
  directRecord,
  groupRecord,
  type LoadReply,
  type Page,
  queueEntry,
  snapshot,
  storeError,
} from './redis-replies.js';
import { REFUSED, SCRIPTS, type ScriptName } from './redis-scripts.js';
import {
  type ChatStore,
  type DirectRecord,
  type GroupRecord,
  MAX_QUEUED,
  type MemberRecord,
  type NewDirect,
  QueueFullError,
  queuedGroupMessage,
  type StoredGroup,
  type StoreSnapshot,
} from './store.js';

export interface RedisStoreOptions {
  /** The caller's connection; the store never closes it. */
  redis: Redis;
  prefix?: string;
  /** This node's name, stored with every message it writes. */
  nodeId: string;
  maxQueued?: number;
}

/** Records one script reads at most; larger reads are paged. */
const PAGE = 1000;

type Arg = string | number;
type Scripted = Record<string, (...args: Arg[]) => Promise<unknown>>;

export function openRedisStore(options: RedisStoreOptions): RedisStore {
  return new RedisStore(options);
}

export class RedisStore implements ChatStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly nodeId: string;
  private readonly maxQueued: number;
  /** Command names on the connection (shared with other stores on it: same scripts). */
  private readonly scripts: Record<ScriptName, string>;
  /** The keys every direct message uses, built once. */
  private readonly keys: { last: string; dm: string; own: string; qid: string; nodes: string };
  private directFloor = 0;
  /** This node was added to dm:nodes (or is being). */
  private registered = false;
  private closed = false;
  /** Commands sent and not yet answered; close() waits for none. */
  private pending = 0;
  private drained: (() => void) | null = null;
  private idle: Promise<void> | null = null;

  constructor(options: RedisStoreOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix ?? 'tsg:';
    this.nodeId = options.nodeId;
    this.maxQueued = options.maxQueued ?? MAX_QUEUED;
    const names = {} as Record<ScriptName, string>;
    for (const [name, lua] of Object.entries(SCRIPTS) as Array<[ScriptName, string]>) {
      names[name] = `tessengerStore_${name}`;
      this.redis.defineCommand(names[name], { lua });
    }
    this.scripts = names;
    this.keys = {
      last: this.key('dm:last'),
      dm: this.key('dm'),
      own: this.key(`dn:${this.nodeId}`),
      qid: this.key('qid'),
      nodes: this.key('dm:nodes'),
    };
  }

  async load(): Promise<StoreSnapshot> {
    return snapshot(
      (await this.run('load', [
        [this.key('groups'), this.key('blocks'), this.key('seen')],
        [this.prefix],
      ])) as LoadReply,
    );
  }

  reserveDirectNumbers(last: number): void {
    if (last <= this.directFloor) return;
    this.directFloor = last;
    // Every addDirect carries the floor too, so a failure here loses nothing of this node's.
    this.run('raiseDirect', [[this.key('dm:last')], [last]]).catch(() => {});
  }

  async addDirect(m: NewDirect): Promise<DirectRecord> {
    const pair = m.from <= m.to ? `${m.from}|${m.to}` : `${m.to}|${m.from}`;
    const record = JSON.stringify([m.ts, m.from, m.to, m.text, this.nodeId, null]);
    const keys = [
      this.keys.last,
      this.keys.dm,
      this.key(`dp:${pair}`),
      this.keys.own,
      this.key(`ud:${m.to}`),
    ];
    const args: Arg[] = [record, this.directFloor, this.maxQueued];
    if (m.queued) {
      keys.push(this.keys.qid, this.key(`q:${m.to}`));
      // The event's JSON without its closing brace: the script appends the number it assigns.
      const event = { type: 'message', from: m.from, text: m.text, ts: m.ts, offline: true };
      args.push(`${JSON.stringify(event).slice(0, -1)},"id":`);
    }
    if (!this.registered) this.register();
    const n = (await this.run('addDirect', [keys, args])) as number;
    if (n === REFUSED) throw new QueueFullError(m.to);
    return { n, ts: m.ts, from: m.from, to: m.to, text: m.text, deliveredAt: null };
  }

  /**
   * Adds this node to dm:nodes (the merged view reads each node's index), once: sent ahead
   * of the first direct message on the same connection, so Redis runs it first.
   */
  private register(): void {
    this.registered = true;
    this.track(() => this.redis.sadd(this.keys.nodes, this.nodeId)).catch(() => {
      this.registered = false;
    });
  }

  async addGroupMessage(
    m: Omit<GroupRecord, 'n'>,
    offline: readonly string[],
  ): Promise<GroupRecord> {
    const n = (await this.run('addGroupMessage', [
      [
        this.key(`g:${m.group}`),
        this.key(`gr:${m.group}`),
        this.key(`gn:${m.group}|${this.nodeId}`),
        this.key('qid'),
        ...offline.map((user) => this.key(`q:${user}`)),
      ],
      [
        JSON.stringify([m.ts, m.from, m.text, this.nodeId]),
        JSON.stringify(queuedGroupMessage(m)),
        this.maxQueued,
      ],
    ])) as number;
    if (n === REFUSED) throw new Error(`no group ${m.group}`);
    return { ...m, n };
  }

  async createGroup(g: StoredGroup): Promise<void | false> {
    const members = g.members.flatMap((m) => [m.username, m.state, m.invitedBy ?? '']);
    const created = await this.run('createGroup', [
      [this.key(`g:${g.name}`), this.key(`gm:${g.name}`), this.key('groups')],
      [g.creator, g.createdAt, g.name, ...members],
    ]);
    if (created === 0) return false;
  }

  async setMember(group: string, m: MemberRecord): Promise<void> {
    const done = await this.run('setMember', [
      [this.key(`g:${group}`), this.key(`gm:${group}`)],
      [m.username, m.state, m.invitedBy ?? ''],
    ]);
    if (done === REFUSED) throw new Error(`no group ${group}`);
  }

  async removeMember(group: string, username: string): Promise<void> {
    await this.track(() => this.redis.hdel(this.key(`gm:${group}`), username));
  }

  async enqueue(username: string, event: PushEvent): Promise<void> {
    await this.run('enqueue', [
      [this.key('qid'), this.key(`q:${username}`)],
      [JSON.stringify(event), this.maxQueued],
    ]);
  }

  async takeQueue(
    username: string,
    limit: number,
    ackThrough?: number,
  ): Promise<{ events: PushEvent[]; remaining: number; lastId: number }> {
    const [rows, remaining] = (await this.run('takeQueue', [
      [this.key(`q:${username}`)],
      [Math.max(0, limit), ackThrough ?? ''],
    ])) as [string[], number];
    const entries = rows.map(queueEntry);
    return {
      events: entries.map(([, event]) => event),
      remaining,
      lastId: entries.length > 0 ? entries[entries.length - 1]![0] : 0,
    };
  }

  async markDelivered(
    n: number,
    to: string,
    at: number,
  ): Promise<{ record: DirectRecord; first: boolean } | null> {
    const reply = (await this.run('markDelivered', [
      [this.key('dm'), this.key(`ud:${to}`)],
      [n, to, at],
    ])) as [string, number] | null;
    return reply ? { record: directRecord(n, reply[0]), first: reply[1] === 1 } : null;
  }

  async setBlocked(owner: string, other: string, blocked: boolean): Promise<void> {
    await this.run('setBlocked', [
      [this.key('blocks'), this.key('blocks:seq')],
      [JSON.stringify([owner, other]), blocked ? '1' : '0'],
    ]);
  }

  async setLastSeen(username: string, ts: number): Promise<void> {
    await this.track(() => this.redis.hset(this.key('seen'), username, ts));
  }

  async directHistory(a: string, b: string, limit: number): Promise<DirectRecord[]> {
    const pair = a <= b ? `${a}|${b}` : `${b}|${a}`;
    // Pages from the end of the pair's index, each oldest first; the last page read goes first.
    const pages: DirectRecord[][] = [];
    for (let got = 0; got < limit; ) {
      const want = Math.min(PAGE, limit - got);
      const page = await this.listRange(`dp:${pair}`, 'dm', -(got + want), -(got + 1));
      pages.unshift(decode(page, directRecord));
      got += want;
      if (page[0].length < want) break;
    }
    return pages.flat();
  }

  async groupHistory(group: string, limit: number): Promise<GroupRecord[]> {
    if (limit <= 0) return [];
    const page = (await this.run('groupRange', [
      [this.key(`g:${group}`), this.key(`gr:${group}`)],
      ['tail', 0, limit],
    ])) as Page;
    return decode(page, (n, json) => groupRecord(group, n, json));
  }

  /** On a shared store, the direct messages this node wrote above n. */
  async directAfter(n: number): Promise<DirectRecord[]> {
    const index = `dn:${this.nodeId}`;
    return this.allPages(n, async (after) =>
      decode(await this.listAfter(index, 'dm', after), directRecord),
    );
  }

  /** On a shared store, the group's messages this node wrote above n. */
  async groupAfter(group: string, n: number): Promise<GroupRecord[]> {
    const index = `gn:${group}|${this.nodeId}`;
    return this.allPages(n, async (after) =>
      decode(await this.listAfter(index, `gr:${group}`, after), (k, json) =>
        groupRecord(group, k, json),
      ),
    );
  }

  /** Up to `limit` direct messages above n from every node, in number order (the merged log). */
  allDirectAfter(n: number, limit: number): Promise<DirectRecord[]> {
    return this.allPages(
      n,
      async (after, want) =>
        decode(
          (await this.run('allDirectAfter', [
            [this.key('dm:nodes'), this.key('dm')],
            [after, want, this.prefix],
          ])) as Page,
          directRecord,
        ),
      limit,
    );
  }

  /** Up to `limit` of a group's messages above n from every node, in number order. */
  allGroupAfter(group: string, n: number, limit: number): Promise<GroupRecord[]> {
    return this.allPages(
      n,
      async (after, want) =>
        decode(
          (await this.run('groupRange', [
            [this.key(`g:${group}`), this.key(`gr:${group}`)],
            ['after', after, want],
          ])) as Page,
          (k, json) => groupRecord(group, k, json),
        ),
      limit,
    );
  }

  /**
   * Up to `limit` direct messages to `username` whose delivery its client has not confirmed,
   * oldest first (the newest maxQueued are kept): what the cluster sends again after a crash.
   */
  async undelivered(username: string, limit: number): Promise<DirectRecord[]> {
    if (limit <= 0) return [];
    return decode(await this.listRange(`ud:${username}`, 'dm', 0, limit - 1), directRecord);
  }

  /** Resolves once every write asked for has been answered; the connection stays open. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pending === 0) return;
    this.idle ??= new Promise<void>((resolve) => {
      this.drained = resolve;
    });
    await this.idle;
  }

  private key(name: string): string {
    return this.prefix + name;
  }

  /** Pages of up to PAGE records above `after` until `limit` or the end. */
  private async allPages<T extends { n: number }>(
    after: number,
    read: (after: number, want: number) => Promise<T[]>,
    limit = Number.POSITIVE_INFINITY,
  ): Promise<T[]> {
    const out: T[] = [];
    while (out.length < limit) {
      const want = Math.min(PAGE, limit - out.length);
      const page = await read(after, want);
      out.push(...page);
      if (page.length < want) break;
      after = page[page.length - 1]!.n;
    }
    return out;
  }

  /** An index's numbers at LRANGE positions start..stop, with their records. */
  private listRange(index: string, records: string, start: number, stop: number): Promise<Page> {
    return this.run('listRange', [
      [this.key(index), this.key(records)],
      [start, stop],
    ]) as Promise<Page>;
  }

  /** An index's first PAGE numbers above `after`, with their records. */
  private listAfter(index: string, records: string, after: number): Promise<Page> {
    return this.run('listAfter', [
      [this.key(index), this.key(records)],
      [after, PAGE],
    ]) as Promise<Page>;
  }

  private run(name: ScriptName, [keys, args]: [string[], Arg[]]): Promise<unknown> {
    const call = (this.redis as unknown as Scripted)[this.scripts[name]]!;
    return this.track(() => call.call(this.redis, keys.length, ...keys, ...args));
  }

  /** Refuses after close, counts the command as pending and turns Redis failures into ours. */
  private track<T>(send: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    let sent: Promise<T>;
    try {
      sent = send();
    } catch (err) {
      return Promise.reject(storeError(err));
    }
    this.pending++;
    return sent.then(
      (reply) => {
        this.settled();
        return reply;
      },
      (err: unknown) => {
        this.settled();
        throw storeError(err);
      },
    );
  }

  private settled(): void {
    if (--this.pending === 0) this.drained?.();
  }
}
