/**
 * One server node's membership of a cluster on Redis: its heartbeat, the cluster-wide
 * directory of who is online where, the stream of state changes every node applies, the
 * node's own delivery stream, and the reaping of nodes that died. docs/CLUSTER.md has the
 * design; the keys (all under the prefix, `tsg:` by default):
 *
 * | key | type | what |
 * |---|---|---|
 * | `nodes` | set | instances that joined and were not reaped |
 * | `alive:<instance>` | string, PX ttl | the heartbeat; gone = the node is dead |
 * | `online` | hash user → JSON | who is signed in, on which instance |
 * | `events` | stream (MAXLEN ~) | state changes: logins, logouts, away, groups, blocks |
 * | `in:<instance>` | stream | pushes for that node's users, kept `retainMs` after delivery |
 * | `reap:<instance>` | string, PX | the one node that reaps a dead instance |
 *
 * An instance is the node id plus a random suffix, so a node restarted under the same id is a
 * new instance and the old one is reaped like any dead node.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { PushEvent } from '../../protocol/control.js';
import type { MemberRecord, StoredGroup } from '../../store/store.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { TimerGroup } from '../../util/timer-group.js';
import type { OnlineUser, RemoteUser } from '../presence.js';

/** A state change one node tells the others (the `events` stream). */
export type ClusterEvent =
  | { k: 'online'; user: RemoteUser }
  | { k: 'offline'; user: string; instance: string; ts: number }
  | { k: 'away'; user: string; instance: string; text?: string }
  | { k: 'group'; group: StoredGroup }
  | { k: 'member'; group: string; member: MemberRecord }
  | { k: 'left'; group: string; username: string }
  | { k: 'block'; owner: string; other: string; blocked: boolean }
  | { k: 'revoke'; id: string; expires: number }
  | { k: 'attempt'; user: string; failed: boolean };

/** What the node hands to the server: the other nodes' changes and the pushes for its users. */
export interface ClusterListener {
  /** A change made on another instance. */
  event(event: ClusterEvent): void;
  /** A push for `user`, sent to this node by another (or forwarded `hops` times). */
  deliver(user: string, event: PushEvent, hops: number): void;
  /** This node won the reaping of a dead instance: sign its users out, re-route its pushes. */
  reap(instance: string, users: RemoteUser[], pending: Array<[string, PushEvent]>): Promise<void>;
  /** Redis was away longer than the heartbeat's lifetime: claim the local users again. */
  rejoin(): Promise<void>;
}

export interface ClusterNodeOptions {
  nodeId: string;
  prefix?: string;
  /** Heartbeat period; default 1000 ms. */
  heartbeatMs?: number;
  /** Heartbeat lifetime: a node silent this long is dead; default 3000 ms. */
  ttlMs?: number;
  /** How long delivered pushes stay in the node's stream, re-routed if it dies; default 5000 ms. */
  retainMs?: number;
  /** Entries kept in the events stream (approximately); default 100,000. */
  eventsMax?: number;
  clock: Clock;
  timers: TimerGroup;
  logger: Logger;
}

/** The JSON of an online user in the `online` hash. */
interface Entry {
  i: string;
  a: string;
  u: number;
  s: number;
  w?: string;
}

const CLAIM = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local inst = cjson.decode(cur).i
  if inst ~= ARGV[3] and redis.call('EXISTS', ARGV[4] .. inst) == 1 then return cur end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', 'i', ARGV[3], 'e', ARGV[6])
return false`;

const RELEASE = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and cjson.decode(cur).i == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'i', ARGV[4], 'e', ARGV[5])
  return 1
end
return 0`;

const SET_AWAY = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and cjson.decode(cur).i == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'i', ARGV[2], 'e', ARGV[5])
  return 1
end
return 0`;

type StreamReply = Array<[string, Array<[string, string[]]>]> | null;

export class ClusterNode {
  readonly instance: string;
  readonly nodeId: string;
  private readonly prefix: string;
  private readonly heartbeatMs: number;
  private readonly ttlMs: number;
  private readonly retainMs: number;
  private readonly eventsMax: string;
  private listener: ClusterListener | null = null;
  private eventsCursor = '0-0';
  private inboxCursor = '0-0';
  private closed = false;
  private reading: Promise<void> = Promise.resolve();
  /** Pushes waiting for this turn's XADD, per target instance. */
  private outbox = new Map<string, Array<[string, PushEvent, number]>>();
  /** Copies of this turn's local pushes, kept in case this node dies (retain()). */
  private retained: Array<[string, PushEvent, number]> = [];
  private flushQueued = false;
  /** When the heartbeat last reached Redis. */
  private lastBeat: number;
  private beating = false;
  /** No reaping before this time (just back from a Redis outage). */
  private noReapUntil = 0;

  constructor(
    private readonly redis: Redis,
    private readonly reader: Redis,
    private readonly options: ClusterNodeOptions,
  ) {
    this.nodeId = options.nodeId;
    this.instance = `${options.nodeId}~${randomBytes(4).toString('hex')}`;
    this.prefix = options.prefix ?? 'tsg:';
    this.heartbeatMs = options.heartbeatMs ?? 1000;
    this.ttlMs = options.ttlMs ?? 3000;
    this.retainMs = options.retainMs ?? 5000;
    this.eventsMax = String(options.eventsMax ?? 100_000);
    this.lastBeat = options.clock.now();
    redis.defineCommand('tsgClaim', { numberOfKeys: 2, lua: CLAIM });
    redis.defineCommand('tsgRelease', { numberOfKeys: 2, lua: RELEASE });
    redis.defineCommand('tsgAway', { numberOfKeys: 2, lua: SET_AWAY });
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  /**
   * Joins: the heartbeat first (so nobody reaps us), then the directory as it is now. The
   * events cursor is taken before the directory is read, so a change made in between is
   * applied again (every change applies idempotently).
   */
  async join(): Promise<RemoteUser[]> {
    await this.redis
      .multi()
      .set(this.key(`alive:${this.instance}`), this.nodeId, 'PX', this.ttlMs)
      .sadd(this.key('nodes'), this.instance)
      .exec();
    const last = await this.redis.xrevrange(this.key('events'), '+', '-', 'COUNT', 1);
    this.eventsCursor = last[0]?.[0] ?? '0-0';
    return this.onlineElsewhere();
  }

  /** Every user the directory shows online on another live instance. */
  async onlineElsewhere(): Promise<RemoteUser[]> {
    const all = await this.redis.hgetall(this.key('online'));
    const out: RemoteUser[] = [];
    for (const [username, json] of Object.entries(all)) {
      const entry = parseEntry(json);
      if (entry && entry.i !== this.instance) out.push(remoteUser(username, entry));
    }
    return out;
  }

  /** Starts the heartbeat, the reaper and the stream reader. */
  start(listener: ClusterListener): void {
    this.listener = listener;
    this.options.timers.setInterval(() => void this.beat(), this.heartbeatMs);
    this.reading = this.readLoop();
  }

  /**
   * Makes `user` this instance's in the directory, unless a live instance holds them: then
   * that holder is returned and nothing changes. Tells the others in the same script.
   */
  async claim(user: OnlineUser): Promise<RemoteUser | null> {
    const entry = toEntry(this.instance, user);
    const event: ClusterEvent = { k: 'online', user: remoteUser(user.username, entry) };
    const held = (await (this.redis as unknown as ClusterCommands).tsgClaim(
      this.key('online'),
      this.key('events'),
      user.username,
      JSON.stringify(entry),
      this.instance,
      this.key('alive:'),
      this.eventsMax,
      JSON.stringify(event),
    )) as string | null;
    if (held === null) return null;
    const holder = parseEntry(held);
    return holder ? remoteUser(user.username, holder) : null;
  }

  /** Takes `username` out of the directory if this instance (or `instance`) holds them. */
  async release(username: string, ts: number, instance = this.instance): Promise<boolean> {
    const event: ClusterEvent = { k: 'offline', user: username, instance, ts };
    const done = await (this.redis as unknown as ClusterCommands).tsgRelease(
      this.key('online'),
      this.key('events'),
      username,
      instance,
      this.eventsMax,
      this.instance,
      JSON.stringify(event),
    );
    return done === 1;
  }

  /** Records the away text (or back, undefined) of a user of this instance. */
  async setAway(user: OnlineUser): Promise<void> {
    const entry = toEntry(this.instance, user);
    const event: ClusterEvent = {
      k: 'away',
      user: user.username,
      instance: this.instance,
      ...(user.away !== undefined ? { text: user.away } : {}),
    };
    await (this.redis as unknown as ClusterCommands).tsgAway(
      this.key('online'),
      this.key('events'),
      user.username,
      this.instance,
      JSON.stringify(entry),
      this.eventsMax,
      JSON.stringify(event),
    );
  }

  /** Tells every other node a change. Resolves once Redis has it. */
  async publish(event: ClusterEvent): Promise<void> {
    await this.redis.xadd(
      this.key('events'),
      'MAXLEN',
      '~',
      this.eventsMax,
      '*',
      'i',
      this.instance,
      'e',
      JSON.stringify(event),
    );
  }

  /**
   * Sends a push to `user` on `instance`. Pushes made in one turn leave together, one XADD
   * per target node, so one sender's pushes keep their order.
   */
  deliver(instance: string, user: string, event: PushEvent, hops = 0): void {
    let batch = this.outbox.get(instance);
    if (!batch) {
      batch = [];
      this.outbox.set(instance, batch);
    }
    batch.push([user, event, hops]);
    if (!this.flushQueued) {
      this.flushQueued = true;
      this.options.clock.setImmediate(() => this.flush());
    }
  }

  /**
   * Keeps a copy of a push made to a local session in this node's own stream (field `r`,
   * which the reader skips), for the reaper to send again should this node die.
   */
  retain(user: string, event: PushEvent): void {
    this.retained.push([user, event, 0]);
    if (!this.flushQueued) {
      this.flushQueued = true;
      this.options.clock.setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    const outbox = this.outbox;
    this.outbox = new Map();
    if (this.retained.length > 0) {
      const kept = this.retained;
      this.retained = [];
      this.redis.xadd(this.key(`in:${this.instance}`), '*', 'r', JSON.stringify(kept)).catch(() => {
        // Only a safety copy: the push itself went out.
      });
    }
    for (const [instance, batch] of outbox) {
      this.redis
        .xadd(this.key(`in:${instance}`), '*', 'b', JSON.stringify(batch))
        .catch((err: unknown) => {
          // The pushes are lost; messages among them are redelivered at the user's next
          // sign-in (undelivered messages), presence and broadcasts are not kept anyway.
          this.options.logger.warn('cluster push not sent', {
            to: instance,
            count: batch.length,
            error: String(err),
          });
        });
    }
  }

  private async readLoop(): Promise<void> {
    const inbox = this.key(`in:${this.instance}`);
    const events = this.key('events');
    while (!this.closed) {
      let reply: StreamReply;
      try {
        reply = (await this.reader.xread(
          'COUNT',
          1000,
          'BLOCK',
          1000,
          'STREAMS',
          events,
          inbox,
          this.eventsCursor,
          this.inboxCursor,
        )) as StreamReply;
      } catch (err) {
        if (this.closed) return;
        this.options.logger.debug('cluster stream read failed', { error: String(err) });
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      if (reply === null) continue;
      for (const [key, entries] of reply) {
        if (key === events) this.applyEvents(entries);
        else this.applyInbox(entries);
      }
    }
  }

  private applyEvents(entries: Array<[string, string[]]>): void {
    for (const [id, fields] of entries) {
      this.eventsCursor = id;
      const from = field(fields, 'i');
      if (from === this.instance) continue;
      const json = field(fields, 'e');
      if (json === undefined) continue;
      try {
        this.listener?.event(JSON.parse(json) as ClusterEvent);
      } catch (err) {
        this.options.logger.error('cluster event failed', { id, error: String(err) });
      }
    }
  }

  private applyInbox(entries: Array<[string, string[]]>): void {
    for (const [id, fields] of entries) {
      this.inboxCursor = id;
      const json = field(fields, 'b');
      if (json === undefined) continue;
      let batch: Array<[string, PushEvent, number]>;
      try {
        batch = JSON.parse(json) as Array<[string, PushEvent, number]>;
      } catch {
        continue;
      }
      for (const [user, event, hops] of batch) {
        try {
          this.listener?.deliver(user, event, hops);
        } catch (err) {
          this.options.logger.error('cluster delivery failed', { id, error: String(err) });
        }
      }
    }
  }

  /** The heartbeat, the trimming of delivered pushes, and the watch on the other nodes. */
  private async beat(): Promise<void> {
    if (this.beating || this.closed) return;
    this.beating = true;
    const now = this.options.clock.now();
    try {
      // Stream ids are Redis's clock in ms: what was read more than retainMs before the last
      // entry read goes, whatever this node's own clock says.
      const readMs = Number(this.inboxCursor.split('-')[0]);
      const minId = `${Math.max(0, readMs - this.retainMs)}-0`;
      const replies = (await this.redis
        .multi()
        .set(this.key(`alive:${this.instance}`), this.nodeId, 'PX', this.ttlMs)
        .sadd(this.key('nodes'), this.instance)
        .xtrim(this.key(`in:${this.instance}`), 'MINID', '~', minId)
        .smembers(this.key('nodes'))
        .exec()) as Array<[Error | null, unknown]> | null;
      const members = (replies?.[3]?.[1] ?? []) as string[];
      const lapsed = now - this.lastBeat > this.ttlMs;
      this.lastBeat = now;
      if (lapsed) {
        this.options.logger.warn('cluster heartbeat lapsed; claiming local users again');
        // Redis was away for everyone, most likely: the other nodes' heartbeats lapsed too
        // and need a period to come back before any of them counts as dead.
        this.noReapUntil = now + this.ttlMs + this.heartbeatMs;
        await this.listener?.rejoin();
      }
      if (now >= this.noReapUntil) await this.watch(members);
    } catch (err) {
      this.options.logger.debug('cluster heartbeat failed', { error: String(err) });
    } finally {
      this.beating = false;
    }
  }

  /** Finds the instances whose heartbeat is gone and reaps those this node wins. */
  private async watch(instances: string[]): Promise<void> {
    const others = instances.filter((i) => i !== this.instance);
    if (others.length === 0) return;
    const pipe = this.redis.pipeline();
    for (const i of others) pipe.exists(this.key(`alive:${i}`));
    const alive = (await pipe.exec()) ?? [];
    for (let n = 0; n < others.length; n++) {
      if (alive[n]?.[1] === 1) continue;
      const dead = others[n]!;
      const won = await this.redis.set(this.key(`reap:${dead}`), this.instance, 'PX', 60_000, 'NX');
      if (won === 'OK') await this.reapInstance(dead);
    }
  }

  private async reapInstance(dead: string): Promise<void> {
    const users: RemoteUser[] = [];
    const all = await this.redis.hgetall(this.key('online'));
    for (const [username, json] of Object.entries(all)) {
      const entry = parseEntry(json);
      if (entry?.i === dead) users.push(remoteUser(username, entry));
    }
    const pending: Array<[string, PushEvent]> = [];
    const entries = await this.redis.xrange(this.key(`in:${dead}`), '-', '+');
    for (const [, fields] of entries) {
      const json = field(fields, 'b') ?? field(fields, 'r');
      if (json === undefined) continue;
      try {
        for (const [user, event] of JSON.parse(json) as Array<[string, PushEvent, number]>) {
          pending.push([user, event]);
        }
      } catch {
        // A torn entry cannot be routed; nothing else to do with it.
      }
    }
    this.options.logger.warn('cluster node dead; reaping', {
      instance: dead,
      users: users.length,
      pending: pending.length,
    });
    await this.listener?.reap(dead, users, pending);
    await this.redis
      .multi()
      .del(this.key(`in:${dead}`))
      .srem(this.key('nodes'), dead)
      .exec();
  }

  /** Leaves the cluster: the others see this instance gone at once, not after the TTL. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.reader.disconnect();
    await this.reading;
    try {
      await this.redis
        .multi()
        .del(this.key(`alive:${this.instance}`))
        .srem(this.key('nodes'), this.instance)
        .exec();
    } catch {
      // Redis is away: the heartbeat's lifetime ends the membership instead.
    }
  }
}

interface ClusterCommands {
  tsgClaim(...args: Array<string | number>): Promise<unknown>;
  tsgRelease(...args: Array<string | number>): Promise<unknown>;
  tsgAway(...args: Array<string | number>): Promise<unknown>;
}

function field(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function toEntry(instance: string, user: OnlineUser): Entry {
  return {
    i: instance,
    a: user.address,
    u: user.udpPort,
    s: user.since,
    ...(user.away !== undefined ? { w: user.away } : {}),
  };
}

function parseEntry(json: string): Entry | null {
  try {
    const e = JSON.parse(json) as Entry;
    return typeof e.i === 'string' ? e : null;
  } catch {
    return null;
  }
}

function remoteUser(username: string, e: Entry): RemoteUser {
  return {
    username,
    address: e.a,
    udpPort: e.u,
    since: e.s,
    instance: e.i,
    ...(e.w !== undefined ? { away: e.w } : {}),
  };
}
