/**
 * The SQLite store on a real file in a temp folder: migrations from empty, numbering,
 * queues, blocks, history, reopening, and group commit batching one turn's writes.
 */

import { statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, SCHEMA_VERSION, schemaVersion } from '../../../src/store/migrations.js';
import {
  DATABASE_FILE,
  openSqliteStore,
  type SqliteStore,
} from '../../../src/store/sqlite-store.js';
import { QueueFullError } from '../../../src/store/store.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

let dir: string;
let cleanup: () => Promise<void>;
let store: SqliteStore;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir('tessenger-store-'));
  store = openSqliteStore(dir);
});

afterEach(async () => {
  await store.close();
  await cleanup();
});

const direct = (from: string, to: string, text: string, ts = 1000, queued = false) =>
  store.addDirect({ ts, from, to, text, queued });

describe('migrations', () => {
  it('brings an empty database to the newest version once', () => {
    const db = new Database(path.join(dir, 'other.db'));
    expect(schemaVersion(db)).toBe(0);
    expect(migrate(db)).toBe(SCHEMA_VERSION);
    expect(migrate(db)).toBe(SCHEMA_VERSION);
    const rows = db.prepare('SELECT version FROM schema_version').all();
    expect(rows).toHaveLength(SCHEMA_VERSION);
    db.close();
  });

  it('refuses a database newer than the code', () => {
    const db = new Database(path.join(dir, 'newer.db'));
    migrate(db);
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION + 1);
    expect(() => migrate(db)).toThrow(/newer than this server/);
    db.close();
  });

  it('checkpoints in a worker: the WAL reaches the database file without the serving connection', async () => {
    const file = path.join(dir, DATABASE_FILE);
    const before = statSync(file).size;
    // ~2000 pages: far below the serving connection's own automatic checkpoint (40,000).
    for (let b = 0; b < 20; b++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => direct('Yoda', `u${i}`, `m${b}`)));
    }
    const deadline = Date.now() + 30_000;
    while (statSync(file).size <= before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(statSync(file).size).toBeGreaterThan(before);
    await store.close();
    expect(store.checkpointer?.passes).toBeGreaterThan(0);
  });

  it('uses WAL', () => {
    const db = new Database(path.join(dir, DATABASE_FILE));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});

describe('messages', () => {
  it('numbers direct messages globally and continues after reserved numbers', async () => {
    expect((await direct('Yoda', 'obiwan', 'one')).n).toBe(1);
    store.reserveDirectNumbers(10);
    expect((await direct('obiwan', 'Yoda', 'two')).n).toBe(11);
    const history = await store.directHistory('Yoda', 'obiwan', 10);
    expect(history.map((m) => [m.n, m.from, m.text])).toEqual([
      [1, 'Yoda', 'one'],
      [11, 'obiwan', 'two'],
    ]);
    expect((await store.directHistory('obiwan', 'Yoda', 1)).map((m) => m.text)).toEqual(['two']);
    expect(await store.directHistory('Yoda', 'Hans', 10)).toEqual([]);
    expect((await store.directAfter(1)).map((m) => m.n)).toEqual([11]);
  });

  it('numbers group messages per group and queues them for offline members', async () => {
    for (const name of ['g1', 'g2']) {
      await store.createGroup({
        name,
        creator: 'Yoda',
        createdAt: 1,
        members: [{ username: 'Yoda', state: 'joined', invitedBy: null }],
      });
    }
    const a = await store.addGroupMessage({ group: 'g1', ts: 5, from: 'Yoda', text: 'a' }, [
      'Hans',
    ]);
    const b = await store.addGroupMessage({ group: 'g2', ts: 6, from: 'Yoda', text: 'b' }, []);
    const c = await store.addGroupMessage({ group: 'g1', ts: 7, from: 'Yoda', text: 'c' }, []);
    expect([a.n, b.n, c.n]).toEqual([1, 1, 2]);
    expect((await store.groupHistory('g1', 1)).map((m) => m.text)).toEqual(['c']);
    expect((await store.groupAfter('g1', 0)).map((m) => m.text)).toEqual(['a', 'c']);
    expect(await store.takeQueue('Hans', 10)).toMatchObject({
      events: [
        { type: 'group-message', group: 'g1', from: 'Yoda', text: 'a', ts: 5, offline: true },
      ],
      remaining: 0,
    });
    await expect(
      store.addGroupMessage({ group: 'nope', ts: 1, from: 'Yoda', text: 'x' }, []),
    ).rejects.toThrow(/no group/);
  });

  it('refuses a direct message to a full offline queue with QueueFullError, on a file and in memory', async () => {
    await store.close();
    for (const where of [dir, null]) {
      store = openSqliteStore(where, 1);
      const first = await direct('Yoda', 'Hans', 'one', 1, true);
      const err = await direct('Yoda', 'Hans', 'two', 2, true).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QueueFullError);
      expect((err as QueueFullError).username).toBe('Hans');
      // The refused one is not stored and its number is free again.
      expect((await direct('Yoda', 'obiwan', 'three')).n).toBe(first.n + 1);
      await store.close();
    }
    store = openSqliteStore(dir);
  });

  it('keeps an offline queue in order and empties it when taken', async () => {
    await direct('Yoda', 'vader', 'first', 1, true);
    await store.enqueue('vader', { type: 'broadcast', from: 'Hans', text: 'x', ts: 2 });
    await direct('obiwan', 'vader', 'second', 3, true);
    const first = await store.takeQueue('vader', 2);
    expect(first.events.map((e) => e.type)).toEqual(['message', 'broadcast']);
    expect(first.events[0]).toMatchObject({
      from: 'Yoda',
      text: 'first',
      ts: 1,
      id: 1,
      offline: true,
    });
    expect(first.remaining).toBe(1);
    const rest = await store.takeQueue('vader', 2);
    expect(rest.events).toMatchObject([{ type: 'message', text: 'second' }]);
    expect(await store.takeQueue('vader', 2)).toEqual({ events: [], remaining: 0, lastId: 0 });
  });

  it('keeps handed-over rows until they are acknowledged', async () => {
    await direct('Yoda', 'vader', 'first', 1, true);
    await direct('Yoda', 'vader', 'second', 2, true);
    await direct('Yoda', 'vader', 'third', 3, true);
    const batch = await store.takeQueue('vader', 2, 0);
    expect(batch.events.map((e) => e.type === 'message' && e.text)).toEqual(['first', 'second']);
    expect(batch.remaining).toBe(1);
    // The client died before acknowledging: the same rows come again.
    const again = await store.takeQueue('vader', 2, 0);
    expect(again).toEqual(batch);
    const rest = await store.takeQueue('vader', 2, batch.lastId);
    expect(rest.events.map((e) => e.type === 'message' && e.text)).toEqual(['third']);
    expect(rest.remaining).toBe(0);
    expect(await store.takeQueue('vader', 2, rest.lastId)).toEqual({
      events: [],
      remaining: 0,
      lastId: 0,
    });
  });

  it('marks delivery once, only for the receiver', async () => {
    const m = await direct('Yoda', 'obiwan', 'hi');
    expect(await store.markDelivered(m.n, 'Hans', 50)).toBeNull();
    const first = await store.markDelivered(m.n, 'obiwan', 50);
    expect(first).toMatchObject({ first: true, record: { deliveredAt: 50 } });
    const again = await store.markDelivered(m.n, 'obiwan', 60);
    expect(again).toMatchObject({ first: false, record: { deliveredAt: 50 } });
  });
});

describe('durable state across reopening', () => {
  it('gives back groups, members, blocks and last-seen times', async () => {
    await store.createGroup({
      name: 'jedi',
      creator: 'Yoda',
      createdAt: 1,
      members: [
        { username: 'Yoda', state: 'joined', invitedBy: null },
        { username: 'obiwan', state: 'invited', invitedBy: 'Yoda' },
        { username: 'Hans', state: 'invited', invitedBy: 'Yoda' },
      ],
    });
    await store.setMember('jedi', { username: 'obiwan', state: 'joined', invitedBy: 'Yoda' });
    await store.removeMember('jedi', 'Hans');
    await store.setBlocked('Yoda', 'vader', true);
    await store.setBlocked('Yoda', 'Hans', true);
    await store.setBlocked('Yoda', 'Hans', false);
    await store.setLastSeen('Yoda', 123);
    await store.setLastSeen('Yoda', 456);
    await store.close();
    store = openSqliteStore(dir);
    const snap = await store.load();
    expect(snap.groups).toEqual([
      {
        name: 'jedi',
        creator: 'Yoda',
        createdAt: 1,
        members: [
          { username: 'Yoda', state: 'joined', invitedBy: null },
          { username: 'obiwan', state: 'joined', invitedBy: 'Yoda' },
        ],
      },
    ]);
    expect(snap.blocks).toEqual([['Yoda', 'vader']]);
    expect(snap.lastSeen).toEqual(new Map([['Yoda', 456]]));
  });

  it('commits the writes of one turn in one transaction', async () => {
    const before = store.commitStats.commits;
    await Promise.all(Array.from({ length: 100 }, (_, i) => direct('Yoda', 'obiwan', `m${i}`)));
    expect(store.commitStats.commits - before).toBe(1);
  });

  it('replays a failed batch one write at a time, so only the bad one fails', async () => {
    const before = store.commitStats.commits;
    const writes = Array.from({ length: 50 }, (_, i) => direct('Yoda', 'obiwan', `m${i}`));
    const bad = store.addGroupMessage({ group: 'missing', ts: 1, from: 'Yoda', text: 'x' }, []);
    const results = await Promise.all(writes);
    await expect(bad).rejects.toThrow();
    expect(results.map((r) => r.n)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(store.commitStats.commits - before).toBe(50);
    const more = await Promise.all([direct('a', 'b', 'x'), direct('a', 'b', 'y')]);
    expect(more.map((r) => r.n)).toEqual([51, 52]);
  });
});

describe('direct history through its own connection', () => {
  it('sees every message as soon as its write has resolved, interleaved with more writes', async () => {
    const sent: string[] = [];
    for (let round = 0; round < 30; round++) {
      const batch = [direct('Yoda', 'obiwan', `y${round}`), direct('obiwan', 'Yoda', `o${round}`)];
      sent.push(`y${round}`, `o${round}`);
      await Promise.all(batch);
      const got = await store.directHistory('obiwan', 'Yoda', 500);
      expect(got.map((m) => m.text)).toEqual(sent);
    }
  });

  it('leaves the database writable for the store after a history read, and closes cleanly', async () => {
    await direct('Yoda', 'obiwan', 'first');
    expect(await store.directHistory('Yoda', 'obiwan', 5)).toHaveLength(1);
    await direct('Yoda', 'obiwan', 'second');
    expect((await store.directHistory('obiwan', 'Yoda', 5)).map((m) => m.text)).toEqual([
      'first',
      'second',
    ]);
  });
});
