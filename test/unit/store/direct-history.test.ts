/**
 * Direct-message history over the segment index (migration 2): the same answers as the pair
 * index gave, across segments and walk runs, on a database migrated with its data, and by
 * index searches only (the query plan).
 */

import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DIRECT_SEGMENT_BITS,
  MIGRATIONS,
  migrate,
  SCHEMA_VERSION,
  schemaVersion,
} from '../../../src/store/migrations.js';
import { prepareStatements } from '../../../src/store/sqlite-statements.js';
import {
  DATABASE_FILE,
  HISTORY_RUN_MAX,
  openSqliteStore,
  type SqliteStore,
} from '../../../src/store/sqlite-store.js';
import type { DirectRecord } from '../../../src/store/store.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const SEGMENT = 2 ** DIRECT_SEGMENT_BITS;
const USERS = ['Yoda', 'obiwan', 'Hans', 'vader'];
/** The pairs asked about: both orders, a pair with no messages, and one with itself. */
const PAIRS: Array<[string, string]> = [
  ['Yoda', 'obiwan'],
  ['obiwan', 'Yoda'],
  ['Hans', 'vader'],
  ['Yoda', 'nobody'],
  ['vader', 'vader'],
];

let dir: string;
let cleanup: () => Promise<void>;
let store: SqliteStore | null;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir('tessenger-history-'));
  store = null;
});

afterEach(async () => {
  await store?.close();
  await cleanup();
});

/** Message `i` of a fixed sequence: its pair. */
function pairOf(i: number): { from: string; to: string } {
  return { from: USERS[(i * 7) % USERS.length]!, to: USERS[(i * 3 + (i >> 4)) % USERS.length]! };
}

/**
 * The gap after batch `b` of 100 messages: up to four empty segments, so pairs have messages
 * in far apart segments and walk runs, and once more segments than the doubling runs cover
 * before they stop growing, so the walk pauses between runs.
 */
const gapAfter = (b: number) => (b === 20 ? 2 * HISTORY_RUN_MAX : (b * 13) % 5) * SEGMENT;
const BATCHES = 30;

/** The pair's newest `limit` messages, oldest first, from every message written. */
function expected(all: DirectRecord[], a: string, b: string, limit: number): DirectRecord[] {
  const pair = all.filter((m) => (m.from === a && m.to === b) || (m.from === b && m.to === a));
  return pair.slice(Math.max(0, pair.length - limit));
}

describe('direct history over segments', () => {
  it('gives every pair its newest messages in order, across segments and walk runs', async () => {
    store = openSqliteStore(dir);
    const s = store;
    let last = 0;
    for (let b = 0; b < BATCHES; b++) {
      const batch = Array.from({ length: 100 }, (_, k) => {
        const i = b * 100 + k;
        return s.addDirect({ ts: i, ...pairOf(i), text: `m${i}`, queued: false });
      });
      last = (await Promise.all(batch)).at(-1)!.n;
      s.reserveDirectNumbers(last + gapAfter(b));
    }
    // The walk starts in segments with nothing in them.
    s.reserveDirectNumbers(last + 3 * SEGMENT);
    last = (await s.addDirect({ ts: 0, from: 'Hans', to: 'Hans', text: 'x', queued: false })).n;
    expect(last).toBeGreaterThan((60 + 2 * HISTORY_RUN_MAX) * SEGMENT);
    const all = await s.directAfter(0);
    for (const [a, b] of PAIRS) {
      for (const limit of [1, 2, 7, 20, 45, 90, 500, 1000]) {
        expect(await s.directHistory(a, b, limit)).toEqual(expected(all, a, b, limit));
      }
    }
  });

  it('searches the segment index for both directions and never scans the table', () => {
    const db = new Database(path.join(dir, 'plan.db'));
    migrate(db);
    const statement = prepareStatements(db).directHistory;
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${statement.source}`)
      .all({ hi: 3, lo: 0, a: 'Yoda', b: 'obiwan', limit: 20 }) as Array<{ detail: string }>;
    const searches = plan.map((row) => row.detail).filter((d) => d.includes('direct_messages'));
    expect(searches).toEqual([
      'SEARCH direct_messages USING INDEX direct_segment (<expr>=? AND sender=? AND recipient=?)',
      'SEARCH direct_messages USING INDEX direct_segment (<expr>=? AND sender=? AND recipient=?)',
    ]);
    db.close();
  });
});

describe('migration 2 on a version-1 database with messages', () => {
  it('replaces the pair index and gives the same history as before', async () => {
    const file = path.join(dir, DATABASE_FILE);
    const v1 = new Database(file);
    v1.pragma('journal_mode = WAL');
    schemaVersion(v1);
    v1.exec(MIGRATIONS[0]!.sql);
    v1.prepare('INSERT INTO schema_version (version) VALUES (1)').run();
    const insert = v1.prepare(
      'INSERT INTO direct_messages (n, ts, sender, recipient, text) VALUES (?, ?, ?, ?, ?)',
    );
    let n = 0;
    v1.transaction(() => {
      for (let i = 0; i < BATCHES * 100; i++) {
        n += 1 + (i % 100 === 0 && i > 0 ? gapAfter(i / 100 - 1) : 0);
        const { from, to } = pairOf(i);
        insert.run(n, i, from, to, `m${i}`);
      }
    })();
    // The history query of version 1, on the pair index.
    const before = v1.prepare(`
      SELECT * FROM direct_messages
      WHERE (sender = ? AND recipient = ?) OR (sender = ? AND recipient = ?)
      ORDER BY n DESC LIMIT ?`);
    const histories = PAIRS.map(([a, b]) =>
      (before.all(a, b, b, a, 50) as Array<{ n: number; sender: string; text: string }>)
        .reverse()
        .map((r) => [r.n, r.sender, r.text]),
    );
    v1.close();

    store = openSqliteStore(dir);
    for (const [k, [a, b]] of PAIRS.entries()) {
      const after = await store.directHistory(a, b, 50);
      expect(after.map((m) => [m.n, m.from, m.text])).toEqual(histories[k]);
    }
    expect(
      (await store.addDirect({ ts: 1, from: 'Yoda', to: 'obiwan', text: 'new', queued: false })).n,
    ).toBe(n + 1);
    await store.close();
    store = null;

    const db = new Database(file);
    expect(schemaVersion(db)).toBe(2);
    expect(SCHEMA_VERSION).toBe(2);
    const indexes = db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'direct_messages'",
      )
      .all();
    expect(indexes).toEqual([{ name: 'direct_segment' }]);
    db.close();
  });
});
