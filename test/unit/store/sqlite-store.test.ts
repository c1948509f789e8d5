/**
 * What is SQLite's own in the SQLite store, on a real file in a temp folder: migrations from
 * empty, WAL and checkpoints, the queue cap in memory too, and group commit batching one
 * turn's writes. The behaviours every store shares are in sqlite-contract.test.ts.
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
});

describe('group commit', () => {
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
