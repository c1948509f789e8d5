/**
 * The embedded ChatStore: one SQLite file (better-sqlite3, WAL) in the server's data folder.
 * Writes go through GroupCommit, so a burst of messages shares one transaction and one
 * fsync, and the fsync runs in the thread pool, not on the event loop; reads run directly
 * (they only ever see committed data).
 */
import { closeSync, fdatasync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { PushEvent } from '../protocol/control.js';
import { Checkpointer } from './checkpointer.js';
import { diskFullRefusal, hasRoomAgain } from './disk-full.js';
import { GroupCommit, type Sync } from './group-commit.js';
import { DIRECT_SEGMENT_BITS, migrate } from './migrations.js';
import { prepareStatements, type Statements } from './sqlite-statements.js';
import {
  type ChatStore,
  type DirectRecord,
  type GroupRecord,
  MAX_QUEUED,
  type MemberRecord,
  type MemberState,
  type NewDirect,
  QueueFullError,
  queuedGroupMessage,
  type StoredGroup,
  type StoreSnapshot,
} from './store.js';
import { StoreOutage } from './store-outage.js';

export const DATABASE_FILE = 'tessenger.db';

/**
 * Segments one history statement looks into at most: ~0.6 ms of SQLite for a pair absent
 * from all of them (`node bench/chat-store.mjs index`).
 */
export const HISTORY_RUN_MAX = 256;

interface DirectRow {
  n: number;
  ts: number;
  sender: string;
  recipient: string;
  text: string;
  delivered_at: number | null;
}

interface GroupRow {
  group_name: string;
  n: number;
  ts: number;
  sender: string;
  text: string;
}

const toDirect = (r: DirectRow): DirectRecord => ({
  n: r.n,
  ts: r.ts,
  from: r.sender,
  to: r.recipient,
  text: r.text,
  deliveredAt: r.delivered_at,
});

const toGroup = (r: GroupRow): GroupRecord => ({
  group: r.group_name,
  n: r.n,
  ts: r.ts,
  from: r.sender,
  text: r.text,
});

/**
 * Opens (creating if needed) the database in `dataDir`, or an in-memory one when `dataDir`
 * is null (tests and throw-away servers).
 */
export function openSqliteStore(
  dataDir: string | null,
  maxQueued: number = MAX_QUEUED,
): SqliteStore {
  let file = ':memory:';
  if (dataDir !== null) {
    mkdirSync(dataDir, { recursive: true });
    file = path.join(dataDir, DATABASE_FILE);
  }
  return new SqliteStore(new Database(file), maxQueued);
}

/**
 * Flushes the database's WAL file to disk in the thread pool. With `synchronous = NORMAL` a
 * commit writes its frames to the WAL without an fsync; once this resolves, every commit
 * made before the call is on disk, as `synchronous = FULL` would have made it, but without
 * stopping the event loop for the disk. (NORMAL keeps the file consistent on its own: SQLite
 * still syncs around checkpoints and when the WAL is reused; only the per-commit flush is
 * left to this.)
 */
class WalFlusher {
  private readonly fd: number;

  constructor(dbFile: string) {
    // The connection has read and written by now, so SQLite has created the file; it keeps
    // the same file (truncated or rewritten in place, never replaced) while it is open.
    this.fd = openSync(`${dbFile}-wal`, 'r');
  }

  readonly sync: Sync = () =>
    new Promise((resolve, reject) => {
      fdatasync(this.fd, (err) => (err ? reject(err) : resolve()));
    });

  close(): void {
    closeSync(this.fd);
  }
}

export class SqliteStore implements ChatStore {
  private readonly commits: GroupCommit;
  private readonly wal: WalFlusher | null;
  /** Refused writes (a full disk) and whether they have been reported; see StoreOutage. */
  readonly outage = new StoreOutage();
  /** WAL checkpoints in a worker thread; null for an in-memory database. */
  readonly checkpointer: Checkpointer | null;
  private directFloor = 0;
  /** The highest direct-message number written; null: read it from the table. */
  private lastDirectN: number | null = null;
  private closed = false;
  private readonly sql: Statements;
  /** A second connection for the direct-history walk, with its own page cache (or `db`). */
  private readonly reader: Database.Database;
  /** Statements prepared on `reader`; only its reads are used. */
  private readonly readSql: Statements;

  constructor(
    private readonly db: Database.Database,
    private readonly maxQueued: number = MAX_QUEUED,
  ) {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    this.sql = prepareStatements(db);
    if (db.memory) {
      this.reader = db;
      this.readSql = this.sql;
      this.wal = null;
      this.checkpointer = null;
      db.pragma('synchronous = FULL');
    } else {
      // NORMAL plus the WAL flush after each batch (WalFlusher): a commit is on disk before
      // the sender hears "sent", even if the machine dies, and the event loop never waits
      // for the disk.
      db.pragma('synchronous = NORMAL');
      // SQLite's default 2 MiB page cache on this, the write connection: since migration 2 a
      // batch's entries share the newest segment's few pages (docs/PERFORMANCE.md section 7),
      // and a big cache costs every commit a scan of its hash table (pcache1TruncateUnsafe:
      // 4.6 % of the event loop at 20,000 msgs/s with 64 MiB, 0.1 % with 2 MiB; section 11).
      // The history walk, which reads the whole index for a cold pair, has its own
      // connection and cache (below).
      // Checkpoints run in a worker (Checkpointer), off the event loop; this connection's
      // automatic one is only a backstop should the worker fall behind or fail.
      db.pragma('wal_autocheckpoint = 40000');
      this.sql.lastDirect.get();
      this.reader = new Database(db.name);
      // Never writes: reads see what was committed, as they did on the write connection.
      this.reader.pragma('query_only = ON');
      // 64 MiB: a cold pair's /history walks the whole segment index (2.3 ms on 1,000,000
      // rows with it, 3.7-4.2 ms with 2 MiB; section 7). Filled only by history walks.
      this.reader.pragma('cache_size = -65536');
      this.readSql = prepareStatements(this.reader);
      this.wal = new WalFlusher(db.name);
      this.checkpointer = new Checkpointer(db.name);
    }
    const folder = db.memory ? null : path.dirname(db.name);
    this.commits = new GroupCommit(
      (body) => {
        try {
          db.transaction(body)();
        } catch (err) {
          // Rolled back: numbers handed out inside it are free again.
          this.lastDirectN = null;
          throw err;
        }
      },
      this.wal?.sync ?? null,
      {
        // SQLITE_FULL (or an I/O error on a folder with no room left): the batch is refused
        // with StoreUnavailableError('disk-full'), and the store takes writes again as soon
        // as there is space (SQLite rolled the transaction back; nothing is left half done).
        refusal: (err) => diskFullRefusal(err, folder),
        committed: () => {
          // Looked at only while an outage lasts: a commit costs no statfs otherwise.
          if (this.outage.refusal !== null && hasRoomAgain(folder)) this.outage.committed();
        },
      },
    );
  }

  /** Commits, operations and WAL flushes so far (group commit's effect, for benchmarks). */
  get commitStats(): { commits: number; operations: number; syncs: number } {
    return { ...this.commits.stats };
  }

  async load(): Promise<StoreSnapshot> {
    const groups = new Map<string, StoredGroup>();
    const groupRows = this.db
      .prepare('SELECT name, creator, created_at FROM groups ORDER BY created_at, rowid')
      .all() as Array<{ name: string; creator: string; created_at: number }>;
    for (const g of groupRows) {
      groups.set(g.name, {
        name: g.name,
        creator: g.creator,
        createdAt: g.created_at,
        members: [],
      });
    }
    const memberRows = this.db
      .prepare('SELECT * FROM memberships ORDER BY group_name, position')
      .all() as Array<{
      group_name: string;
      username: string;
      state: MemberState;
      invited_by: string | null;
    }>;
    for (const m of memberRows) {
      groups.get(m.group_name)?.members.push({
        username: m.username,
        state: m.state,
        invitedBy: m.invited_by,
      });
    }
    const blocks = (
      this.db.prepare('SELECT owner, blocked FROM blocks ORDER BY rowid').all() as Array<{
        owner: string;
        blocked: string;
      }>
    ).map((b): [string, string] => [b.owner, b.blocked]);
    const seen = this.db.prepare('SELECT username, ts FROM last_seen').all() as Array<{
      username: string;
      ts: number;
    }>;
    return {
      groups: [...groups.values()],
      blocks,
      lastSeen: new Map(seen.map((s) => [s.username, s.ts])),
    };
  }

  reserveDirectNumbers(last: number): void {
    this.directFloor = Math.max(this.directFloor, last);
  }

  addDirect(m: NewDirect): Promise<DirectRecord> {
    return this.write(() => {
      const n = this.nextDirectNumber();
      this.sql.insertDirect.run(n, m.ts, m.from, m.to, m.text);
      const record: DirectRecord = {
        n,
        ts: m.ts,
        from: m.from,
        to: m.to,
        text: m.text,
        deliveredAt: null,
      };
      if (m.queued) {
        const event: PushEvent = {
          type: 'message',
          from: m.from,
          text: m.text,
          ts: m.ts,
          id: n,
          offline: true,
        };
        if (!this.queueHasRoom(m.to)) throw new QueueFullError(m.to);
        this.sql.enqueue.run(m.to, JSON.stringify(event));
      }
      return record;
    });
  }

  addGroupMessage(m: Omit<GroupRecord, 'n'>, offline: readonly string[]): Promise<GroupRecord> {
    return this.write(() => {
      const row = this.sql.nextGroupN.get(m.group) as { last_n: number } | undefined;
      if (!row) throw new Error(`no group ${m.group}`);
      this.sql.insertGroupMessage.run(m.group, row.last_n, m.ts, m.from, m.text);
      const json = JSON.stringify(queuedGroupMessage(m));
      for (const user of offline) if (this.queueHasRoom(user)) this.sql.enqueue.run(user, json);
      return { ...m, n: row.last_n };
    });
  }

  createGroup(g: StoredGroup): Promise<void> {
    return this.write(() => {
      this.sql.insertGroup.run(g.name, g.creator, g.createdAt);
      for (const m of g.members) this.upsertMember(g.name, m);
    });
  }

  setMember(group: string, member: MemberRecord): Promise<void> {
    return this.write(() => this.upsertMember(group, member));
  }

  removeMember(group: string, username: string): Promise<void> {
    return this.write(() => {
      this.sql.deleteMember.run(group, username);
    });
  }

  enqueue(username: string, event: PushEvent): Promise<void> {
    return this.write(() => {
      if (this.queueHasRoom(username)) this.sql.enqueue.run(username, JSON.stringify(event));
    });
  }

  takeQueue(
    username: string,
    limit: number,
    ackThrough?: number,
  ): Promise<{ events: PushEvent[]; remaining: number; lastId: number }> {
    return this.write(() => {
      if (ackThrough !== undefined) this.sql.dequeue.run(username, ackThrough);
      const rows = this.sql.queue.all(username, limit) as Array<{ id: number; event: string }>;
      const lastId = rows.length > 0 ? rows[rows.length - 1]!.id : 0;
      if (ackThrough === undefined && rows.length > 0) this.sql.dequeue.run(username, lastId);
      const { n } = this.sql.queueLength.get(username) as { n: number };
      return {
        events: rows.map((r) => JSON.parse(r.event) as PushEvent),
        remaining: ackThrough === undefined ? n : n - rows.length,
        lastId,
      };
    });
  }

  markDelivered(
    n: number,
    to: string,
    at: number,
  ): Promise<{ record: DirectRecord; first: boolean } | null> {
    return this.write(() => {
      const row = this.sql.deliver.get(at, n, to) as DirectRow | undefined;
      if (row) return { record: toDirect(row), first: true };
      const before = this.sql.direct.get(n, to) as DirectRow | undefined;
      return before ? { record: toDirect(before), first: false } : null;
    });
  }

  setBlocked(owner: string, other: string, blocked: boolean): Promise<void> {
    return this.write(() => {
      (blocked ? this.sql.block : this.sql.unblock).run(owner, other);
    });
  }

  setLastSeen(username: string, ts: number): Promise<void> {
    return this.write(() => {
      this.sql.lastSeen.run(username, ts);
    });
  }

  async directHistory(a: string, b: string, limit: number): Promise<DirectRecord[]> {
    const { n } = this.readSql.lastDirect.get() as { n: number };
    const rows: DirectRow[] = [];
    // Newest segment first, in runs that double in length: a pair with recent messages is
    // done after a statement or two, and one with none looks into every segment in few
    // statements (one statement per segment cost ~4 us each in JavaScript, ~2 us in SQLite).
    // Runs stop growing at HISTORY_RUN_MAX, and the walk lets the event loop turn between
    // them, so a cold pair on a big table delays others by one run, not by the whole walk.
    // Messages committed meanwhile go into segments above the walk: the answer is the
    // history as it was when the walk started.
    let hi = Math.floor(n / 2 ** DIRECT_SEGMENT_BITS);
    for (let run = 1; hi >= 0 && rows.length < limit; run = Math.min(2 * run, HISTORY_RUN_MAX)) {
      if (run === HISTORY_RUN_MAX) {
        await nextTurn();
        if (this.closed) throw new Error('the store is closed');
      }
      const lo = Math.max(0, hi - run + 1);
      const found = this.readSql.directHistory.all({ hi, lo, a, b, limit: limit - rows.length });
      rows.push(...(found as DirectRow[]));
      hi = lo - 1;
    }
    return rows.reverse().map(toDirect);
  }

  async groupHistory(group: string, limit: number): Promise<GroupRecord[]> {
    const rows = this.sql.groupHistory.all(group, limit) as GroupRow[];
    return rows.reverse().map(toGroup);
  }

  async directAfter(n: number): Promise<DirectRecord[]> {
    return (this.sql.directAfter.all(n) as DirectRow[]).map(toDirect);
  }

  async groupAfter(group: string, n: number): Promise<GroupRecord[]> {
    return (this.sql.groupAfter.all(group, n) as GroupRow[]).map(toGroup);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.commits.drain();
    this.closed = true;
    // Writes asked for while the last batch was being flushed.
    await this.commits.drain();
    await this.checkpointer?.stop();
    this.wal?.close();
    if (this.reader !== this.db) this.reader.close();
    this.db.close();
  }

  /** The next direct-message number, inside a write (read from the table once, then kept). */
  private nextDirectNumber(): number {
    this.lastDirectN ??= (this.sql.lastDirect.get() as { n: number }).n;
    this.lastDirectN = Math.max(this.lastDirectN, this.directFloor) + 1;
    return this.lastDirectN;
  }

  private queueHasRoom(username: string): boolean {
    return (this.sql.queueLength.get(username) as { n: number }).n < this.maxQueued;
  }

  private upsertMember(group: string, m: MemberRecord): void {
    this.sql.upsertMember.run(group, m.username, m.state, m.invitedBy, group);
  }

  private write<T>(op: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    return this.commits.run(op);
  }
}
