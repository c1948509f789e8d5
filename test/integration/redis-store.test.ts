/**
 * The Redis store on a real redis-server (AOF, fsync always): the ChatStore contract, two
 * nodes' stores sharing one Redis, a kill -9 of Redis, Redis away and back, the undelivered
 * index and the error mapping. One redis-server for the file; each test has its own prefix.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { storeError } from '../../src/store/redis-replies.js';
import { openRedisStore, type RedisStore } from '../../src/store/redis-store.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { type RedisHandle, startRedis } from '../helpers/redis-server.js';
import { storeContract } from '../helpers/store-contract.js';

let server: RedisHandle;
let prefixes = 0;
/** Every connection a test opened, quit after it. */
const connections = new Set<Redis>();

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  await server.close();
});

afterEach(() => {
  for (const c of connections) c.disconnect();
  connections.clear();
});

/** A connection as the cluster opens one: fails at once while Redis is away, retries fast. */
async function connect(): Promise<Redis> {
  const redis = new Redis(server.url, {
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => 50,
    lazyConnect: true,
  });
  redis.on('error', () => {});
  connections.add(redis);
  await redis.connect();
  return redis;
}

const freshPrefix = () => `t${++prefixes}:`;

async function open(prefix: string, nodeId: string, maxQueued?: number): Promise<RedisStore> {
  return openRedisStore({
    redis: await connect(),
    prefix,
    nodeId,
    ...(maxQueued !== undefined ? { maxQueued } : {}),
  });
}

/** Waits until `redis` answers again (ioredis reconnects by itself). */
async function ready(redis: Redis): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (redis.status !== 'ready') {
    if (Date.now() > deadline) throw new Error(`still ${redis.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

storeContract('Redis store', async () => {
  const prefix = freshPrefix();
  return { open: (maxQueued) => open(prefix, 'node-a', maxQueued), cleanup: async () => {} };
});

const direct = (store: RedisStore, from: string, to: string, text: string, queued = false) =>
  store.addDirect({ ts: 1000, from, to, text, queued });

describe('two nodes on one Redis', () => {
  it('number direct messages without gap or repeat under concurrent writes', async () => {
    const prefix = freshPrefix();
    const a = await open(prefix, 'node-a');
    const b = await open(prefix, 'node-b');
    const writes: Array<Promise<{ n: number; text: string }>> = [];
    for (let i = 0; i < 500; i++) {
      writes.push(direct(a, 'Yoda', 'obiwan', `a${i}`), direct(b, 'obiwan', 'Yoda', `b${i}`));
    }
    const records = await Promise.all(writes);
    const numbers = records.map((r) => r.n).sort((x, y) => x - y);
    expect(numbers).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));

    const own = await a.directAfter(0);
    expect(own.map((r) => r.text)).toEqual(Array.from({ length: 500 }, (_, i) => `a${i}`));
    expect(own.map((r) => r.n)).toEqual([...own.map((r) => r.n)].sort((x, y) => x - y));
    expect((await b.directAfter(0)).every((r) => r.text.startsWith('b'))).toBe(true);
    const all = await a.allDirectAfter(0, 2000);
    expect(all.map((r) => r.n)).toEqual(numbers);
    // Paged: the merged view continues where a page ended.
    expect((await b.allDirectAfter(400, 3)).map((r) => r.n)).toEqual([401, 402, 403]);
    expect(await a.directHistory('obiwan', 'Yoda', 1000)).toEqual(all);
  });

  it('share group numbering, and each repairs only the group messages it wrote', async () => {
    const prefix = freshPrefix();
    const a = await open(prefix, 'node-a');
    const b = await open(prefix, 'node-b');
    const group = { name: 'jedi', creator: 'Yoda', createdAt: 1, members: [] };
    expect(await a.createGroup(group)).toBeUndefined();
    expect(await b.createGroup({ ...group, creator: 'vader' })).toBe(false);
    const sent = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? b : a).addGroupMessage({ group: 'jedi', ts: i, from: 'Yoda', text: `m${i}` }, []),
      ),
    );
    expect(sent.map((r) => r.n).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    const ownA = await a.groupAfter('jedi', 0);
    expect(ownA).toHaveLength(20);
    expect(ownA.every((r) => Number(r.text.slice(1)) % 2 === 0)).toBe(true);
    expect((await b.groupAfter('jedi', 10)).every((r) => r.n > 10)).toBe(true);
    const all = await b.allGroupAfter('jedi', 0, 100);
    expect(all.map((r) => r.n)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect((await a.allGroupAfter('jedi', 38, 100)).map((r) => r.n)).toEqual([39, 40]);
    expect(await a.groupHistory('jedi', 5)).toEqual(all.slice(35));
    expect((await b.load()).groups).toEqual([{ ...group, members: [] }]);
  });

  it('keep numbering above the highest number reserved by either node', async () => {
    const prefix = freshPrefix();
    const a = await open(prefix, 'node-a');
    const b = await open(prefix, 'node-b');
    a.reserveDirectNumbers(100);
    b.reserveDirectNumbers(50);
    expect((await direct(b, 'Yoda', 'obiwan', 'x')).n).toBe(101);
    expect((await direct(a, 'Yoda', 'obiwan', 'y')).n).toBe(102);
    a.reserveDirectNumbers(90);
    expect((await direct(a, 'Yoda', 'obiwan', 'z')).n).toBe(103);
    expect((await a.allDirectAfter(0, 10)).map((r) => r.n)).toEqual([101, 102, 103]);
  });
});

describe('Redis crashes and comes back', () => {
  it('keeps every acknowledged write across a kill -9, and numbering continues', async () => {
    const prefix = freshPrefix();
    const before = await open(prefix, 'node-a');
    await before.createGroup({ name: 'g', creator: 'Yoda', createdAt: 1, members: [] });
    const acked = await Promise.all(
      Array.from({ length: 300 }, (_, i) => direct(before, 'Yoda', 'obiwan', `m${i}`, i % 3 === 0)),
    );
    await before.addGroupMessage({ group: 'g', ts: 1, from: 'Yoda', text: 'g1' }, ['obiwan']);
    await server.kill();
    await server.start();
    const after = await open(prefix, 'node-a');
    expect((await after.directAfter(0)).map((r) => r.text)).toEqual(acked.map((r) => r.text));
    expect((await direct(after, 'Yoda', 'obiwan', 'next')).n).toBe(301);
    expect((await after.groupHistory('g', 5)).map((r) => r.text)).toEqual(['g1']);
    const queue = await after.takeQueue('obiwan', 1000);
    expect(queue.events).toHaveLength(101);
  });

  it('refuses writes at once while Redis is down, stores nothing of them, and writes again once it is back', async () => {
    const prefix = freshPrefix();
    const redis = await connect();
    const store = openRedisStore({ redis, prefix, nodeId: 'node-a' });
    await direct(store, 'Yoda', 'obiwan', 'before');
    await server.kill();
    while (redis.status === 'ready') await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    const refused = await direct(store, 'Yoda', 'obiwan', 'lost', true).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(500);
    expect(refused).toBeInstanceOf(StoreUnavailableError);
    expect((refused as StoreUnavailableError).reason).toBe('unreachable');
    await expect(
      store.enqueue('obiwan', { type: 'broadcast', from: 'Hans', text: 'x', ts: 2 }),
    ).rejects.toThrow(StoreUnavailableError);
    await expect(store.directHistory('Yoda', 'obiwan', 5)).rejects.toThrow(StoreUnavailableError);
    await server.start();
    await ready(redis);
    const next = await direct(store, 'Yoda', 'obiwan', 'after');
    expect(next.n).toBe(2);
    expect((await store.directHistory('Yoda', 'obiwan', 10)).map((r) => r.text)).toEqual([
      'before',
      'after',
    ]);
    expect((await store.takeQueue('obiwan', 10)).events).toEqual([]);
    await store.close();
    // The caller's connection stays open; the store refuses more work.
    expect(redis.status).toBe('ready');
    await expect(direct(store, 'a', 'b', 'c')).rejects.toThrow(/closed/);
  });

  it('fails the writes in flight when Redis dies, without a hang; the acknowledged ones are kept', async () => {
    const prefix = freshPrefix();
    const store = await open(prefix, 'node-a');
    const writes = Array.from({ length: 200 }, (_, i) => direct(store, 'Yoda', 'obiwan', `m${i}`));
    const settled = Promise.allSettled(writes);
    await server.kill();
    const results = await settled;
    const acked: number[] = [];
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(StoreUnavailableError);
      else acked.push(r.value.n);
    }
    await server.start();
    const after = await open(prefix, 'node-a');
    // A write whose answer was lost may be stored too: it is not known, as on any network.
    const stored = (await after.directAfter(0)).map((r) => r.n);
    expect(stored).toEqual(expect.arrayContaining(acked));
    expect(new Set(stored).size).toBe(stored.length);
  });
});

describe('reads larger than one script call', () => {
  it('pages history, log repair and acknowledgements beyond 1000 records', async () => {
    const store = await open(freshPrefix(), 'node-a');
    for (let b = 0; b < 12; b++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          direct(store, 'Yoda', 'obiwan', `m${b * 100 + i}`, true),
        ),
      );
    }
    const history = await store.directHistory('obiwan', 'Yoda', 1100);
    expect(history.map((r) => r.n)).toEqual(Array.from({ length: 1100 }, (_, i) => i + 101));
    expect((await store.directAfter(0)).map((r) => r.n)).toEqual(
      Array.from({ length: 1200 }, (_, i) => i + 1),
    );
    expect(await store.allDirectAfter(0, 1200)).toEqual(await store.directAfter(0));
    // 1150 handed over, then acknowledged: the script drops them in steps of 100.
    const batch = await store.takeQueue('obiwan', 1150, 0);
    expect(batch.remaining).toBe(50);
    const rest = await store.takeQueue('obiwan', 100, batch.lastId);
    expect(rest.events.map((e) => e.type === 'message' && e.id)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1151),
    );
    expect(rest.remaining).toBe(0);
  });
});

describe('groups as load() gives them back', () => {
  it('orders groups by creation time, members by insertion, and queues to several members', async () => {
    const prefix = freshPrefix();
    const store = await open(prefix, 'node-a');
    const member = (username: string, invitedBy: string | null = 'Yoda') => ({
      username,
      state: 'invited' as const,
      invitedBy,
    });
    await store.createGroup({ name: 'late', creator: 'Yoda', createdAt: 9, members: [] });
    await store.createGroup({
      name: 'early',
      creator: 'Yoda',
      createdAt: 2,
      members: [{ ...member('Yoda', null), state: 'joined' }, member('Hans'), member('vader')],
    });
    await store.removeMember('early', 'Hans');
    await store.setMember('early', member('Hans', 'vader'));
    await expect(store.setMember('nope', member('Hans'))).rejects.toThrow(/no group/);
    await store.enqueue('Hans', { type: 'broadcast', from: 'Yoda', text: 'x', ts: 1 });
    await store.addGroupMessage({ group: 'early', ts: 3, from: 'Yoda', text: 'hi' }, [
      'Hans',
      'vader',
    ]);
    const snap = await (await open(prefix, 'node-b')).load();
    expect(snap.groups.map((g) => g.name)).toEqual(['early', 'late']);
    expect(snap.groups[0]!.members).toEqual([
      { username: 'Yoda', state: 'joined', invitedBy: null },
      member('vader'),
      member('Hans', 'vader'),
    ]);
    const hans = await store.takeQueue('Hans', 10, 0);
    expect(hans.events.map((e) => e.type)).toEqual(['broadcast', 'group-message']);
    expect((await store.takeQueue('vader', 10)).events).toMatchObject([
      { group: 'early', text: 'hi' },
    ]);
    expect((await store.takeQueue('Hans', 10, hans.lastId)).events).toEqual([]);
  });
});

describe('undelivered direct messages', () => {
  it('are indexed by addDirect, left by markDelivered, oldest first and capped', async () => {
    const store = await open(freshPrefix(), 'node-a', 3);
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await direct(store, 'Yoda', 'obiwan', `m${i}`));
    await direct(store, 'obiwan', 'Yoda', 'reply');
    // Capped at maxQueued: the newest three.
    expect((await store.undelivered('obiwan', 10)).map((r) => r.text)).toEqual(['m2', 'm3', 'm4']);
    await store.markDelivered(sent[3]!.n, 'obiwan', 77);
    expect(await store.undelivered('obiwan', 10)).toEqual([sent[2], sent[4]]);
    expect((await store.undelivered('obiwan', 1)).map((r) => r.text)).toEqual(['m2']);
    expect((await store.undelivered('Yoda', 10)).map((r) => r.text)).toEqual(['reply']);
    // A mark by the wrong user changes nothing.
    await store.markDelivered(sent[4]!.n, 'Yoda', 78);
    expect(await store.undelivered('obiwan', 10)).toHaveLength(2);
  });
});

describe('Redis failures as store errors', () => {
  it('maps replies and connection errors to StoreUnavailableError, and leaves others alone', () => {
    const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });
    const reasonOf = (err: unknown) => (storeError(err) as StoreUnavailableError).reason;
    expect(reasonOf(reply("OOM command not allowed when used memory > 'maxmemory'."))).toBe(
      'disk-full',
    );
    expect(reasonOf(reply('MISCONF Errors writing to the AOF file'))).toBe('disk-full');
    expect(reasonOf(reply('LOADING Redis is loading the dataset in memory'))).toBe('unreachable');
    expect(reasonOf(new Error('Connection is closed.'))).toBe('unreachable');
    expect(reasonOf(new Error('connect ECONNREFUSED 127.0.0.1:1'))).toBe('unreachable');
    expect(
      reasonOf(
        Object.assign(new Error('Reached the max retries'), { name: 'MaxRetriesPerRequestError' }),
      ),
    ).toBe('unreachable');
    const script = reply('ERR user_script:1: Script attempted to access nonexistent global');
    expect(storeError(script)).toBe(script);
  });

  it('refuses a write with disk-full while Redis is over maxmemory, and stores nothing', async () => {
    const prefix = freshPrefix();
    const redis = await connect();
    const store = openRedisStore({ redis, prefix, nodeId: 'node-a' });
    await direct(store, 'Yoda', 'obiwan', 'first');
    await redis.config('SET', 'maxmemory', '1');
    try {
      const refused = await direct(store, 'Yoda', 'obiwan', 'x', true).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(StoreUnavailableError);
      expect((refused as StoreUnavailableError).reason).toBe('disk-full');
      // Reads still work.
      expect(await store.directHistory('Yoda', 'obiwan', 5)).toHaveLength(1);
    } finally {
      await redis.config('SET', 'maxmemory', '0');
    }
    expect((await direct(store, 'Yoda', 'obiwan', 'second')).n).toBe(2);
    expect((await store.takeQueue('obiwan', 5)).events).toEqual([]);
  });
});
