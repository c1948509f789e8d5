/**
 * A full disk in the store: which errors mean it (SQLITE_FULL, ENOSPC, an I/O error on a
 * folder with no room), a group commit that refuses a whole batch with
 * StoreUnavailableError('disk-full') and stores nothing of it, and the real SQLite store
 * hitting its limit (`max_page_count` makes SQLite answer SQLITE_FULL as a full disk does),
 * then taking writes again, numbering without a gap.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diskFullRefusal, hasRoomAgain, isDiskFull } from '../../../src/store/disk-full.js';
import { GroupCommit } from '../../../src/store/group-commit.js';
import { DATABASE_FILE, SqliteStore } from '../../../src/store/sqlite-store.js';
import { StoreUnavailableError } from '../../../src/store/store.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });
const noRoom = () => 1024;
const plenty = () => 10 * 2 ** 30;

describe('isDiskFull / diskFullRefusal', () => {
  it('takes SQLITE_FULL and ENOSPC for a full disk, whatever the free space says', () => {
    for (const code of ['SQLITE_FULL', 'ENOSPC']) {
      const cause = coded(code);
      const refusal = diskFullRefusal(cause, '/data', plenty);
      expect(refusal).toBeInstanceOf(StoreUnavailableError);
      expect(refusal?.reason).toBe('disk-full');
      expect(refusal?.cause).toBe(cause);
    }
  });

  it('takes an SQLite I/O error for a full disk only when the folder has no room', () => {
    const io = coded('SQLITE_IOERR_WRITE', 'disk I/O error');
    expect(isDiskFull(io, '/data', noRoom)).toBe(true);
    expect(isDiskFull(io, '/data', plenty)).toBe(false);
    expect(isDiskFull(io, '/data', () => null)).toBe(false);
    expect(isDiskFull(io, null, noRoom)).toBe(false);
  });

  it('leaves other failures alone (one write’s own fault)', () => {
    expect(diskFullRefusal(coded('SQLITE_CONSTRAINT_UNIQUE'), '/data', noRoom)).toBeNull();
    expect(diskFullRefusal(new Error('no group jedi'), '/data', noRoom)).toBeNull();
  });

  it('says a folder has room again only well above the refusal threshold', () => {
    expect(hasRoomAgain('/data', noRoom)).toBe(false);
    expect(hasRoomAgain('/data', plenty)).toBe(true);
    expect(hasRoomAgain(null, noRoom)).toBe(true);
  });
});

describe('GroupCommit refusing a batch for a full disk', () => {
  it('rejects every write of the batch with the refusal, without replaying them', async () => {
    let transactions = 0;
    let committed = 0;
    let full = true;
    const commits = new GroupCommit(
      (body) => {
        transactions += 1;
        body();
        if (full) throw coded('SQLITE_FULL', 'database or disk is full');
      },
      null,
      { refusal: (err) => diskFullRefusal(err, null), committed: () => (committed += 1) },
    );
    const writes = [1, 2, 3].map((v) => commits.run(() => v));
    const settled = await Promise.allSettled(writes);
    expect(transactions).toBe(1);
    expect(committed).toBe(0);
    for (const s of settled) {
      expect(s.status).toBe('rejected');
      const reason = (s as PromiseRejectedResult).reason as StoreUnavailableError;
      expect(reason).toBeInstanceOf(StoreUnavailableError);
      expect(reason.reason).toBe('disk-full');
    }
    full = false;
    await expect(commits.run(() => 4)).resolves.toBe(4);
    expect(committed).toBe(1);
  });

  it('still replays a batch one write at a time for a failure that is not about space', async () => {
    let transactions = 0;
    const commits = new GroupCommit(
      (body) => {
        transactions += 1;
        body();
      },
      null,
      { refusal: (err) => diskFullRefusal(err, null) },
    );
    const good = commits.run(() => 1);
    const bad = commits.run(() => {
      throw new Error('bad write');
    });
    await expect(good).resolves.toBe(1);
    await expect(bad).rejects.toThrow('bad write');
    expect(transactions).toBe(3);
  });

  it('refuses the writes of a failed flush as a full disk too', async () => {
    const commits = new GroupCommit(
      (body) => body(),
      () => Promise.reject(coded('ENOSPC', 'ENOSPC: no space left on device, fdatasync')),
      { refusal: (err) => diskFullRefusal(err, null) },
    );
    await expect(commits.run(() => 1)).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe('the SQLite store at its size limit', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let db: Database.Database;
  let store: SqliteStore;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('tessenger-full-'));
    db = new Database(path.join(dir, DATABASE_FILE));
    store = new SqliteStore(db);
  });

  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  const send = (text: string) =>
    store.addDirect({ ts: 1, from: 'Yoda', to: 'obiwan', text, queued: true });

  it('refuses whole batches with StoreUnavailableError, stores nothing of them, and recovers', async () => {
    await send('before');
    const { page_count: pages } = db.prepare('PRAGMA page_count').get() as {
      page_count: number;
    };
    db.pragma(`max_page_count = ${pages}`);
    const big = 'x'.repeat(8000);
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => send(`${big}-${i}`)),
    );
    const refused = settled.filter((s) => s.status === 'rejected');
    expect(refused.length).toBe(20);
    for (const s of refused) {
      const reason = (s as PromiseRejectedResult).reason as StoreUnavailableError;
      expect(reason).toBeInstanceOf(StoreUnavailableError);
      expect(reason.reason).toBe('disk-full');
      expect((reason.cause as { code: string }).code).toBe('SQLITE_FULL');
    }
    // Nothing of the batch: no row, no queued delivery.
    expect(await store.directAfter(0)).toHaveLength(1);
    expect((await store.takeQueue('obiwan', 100, 0)).events).toHaveLength(1);

    // The outage, reported once by the server, ends at the next commit with room.
    let ended = 0;
    expect(store.outage.report(refused[0]!.reason as Error, () => (ended += 1))).toBe(true);
    expect(store.outage.report(refused[1]!.reason as Error, () => (ended += 1))).toBe(false);
    db.pragma('max_page_count = 1073741823');
    const after = await send('after');
    expect(after.n).toBe(2);
    expect(ended).toBe(1);
    expect(store.outage.refusal).toBeNull();
    expect((await store.directAfter(0)).map((m) => m.text)).toEqual(['before', 'after']);
  });
});
