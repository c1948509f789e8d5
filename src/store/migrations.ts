/**
 * Versioned schema migrations. Each step runs once, in its own transaction, and records its
 * number in schema_version, so a database from any earlier release is brought up to date
 * and a half-applied step cannot happen.
 */
import type Database from 'better-sqlite3';

/**
 * Direct messages are indexed by segment of 2^10 consecutive numbers, then pair. The size
 * trades the pages a batch dirties (more with bigger segments) against the segments a cold
 * pair's /history has to look into (more with smaller ones): measured in docs/PERFORMANCE.md,
 * section 7. The statements must use the index's expression as written, so changing this
 * needs a new migration that recreates the index.
 */
export const DIRECT_SEGMENT_BITS = 10;

/** A direct message's segment, as the index direct_segment computes it. */
export const DIRECT_SEGMENT = `(n >> ${DIRECT_SEGMENT_BITS})`;

/** One schema step: the SQL that takes version `version - 1` to `version`. */
interface Migration {
  version: number;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE direct_messages (
        n INTEGER PRIMARY KEY,
        ts INTEGER NOT NULL,
        sender TEXT NOT NULL,
        recipient TEXT NOT NULL,
        text TEXT NOT NULL,
        delivered_at INTEGER
      );
      CREATE INDEX direct_pair ON direct_messages (sender, recipient, n);
      CREATE TABLE groups (
        name TEXT PRIMARY KEY,
        creator TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_n INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE memberships (
        group_name TEXT NOT NULL REFERENCES groups (name),
        username TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('joined', 'invited')),
        invited_by TEXT,
        position INTEGER NOT NULL,
        PRIMARY KEY (group_name, username)
      );
      CREATE TABLE group_messages (
        group_name TEXT NOT NULL REFERENCES groups (name),
        n INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        sender TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (group_name, n)
      );
      CREATE TABLE offline_queue (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recipient TEXT NOT NULL,
        event TEXT NOT NULL
      );
      CREATE INDEX offline_queue_recipient ON offline_queue (recipient, id);
      CREATE TABLE blocks (
        owner TEXT NOT NULL,
        blocked TEXT NOT NULL,
        PRIMARY KEY (owner, blocked)
      );
      CREATE TABLE last_seen (
        username TEXT PRIMARY KEY,
        ts INTEGER NOT NULL
      );
    `,
  },
  {
    // Every direct message went into the pair index at a random place, so each commit
    // dirtied and wrote about one index page per message. Keyed by segment first, a batch's
    // entries land in the newest segment's few pages (docs/PERFORMANCE.md, section 7).
    version: 2,
    sql: `
      DROP INDEX direct_pair;
      CREATE INDEX direct_segment ON direct_messages (${DIRECT_SEGMENT}, sender, recipient);
    `,
  },
];

/** The newest schema version this build knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Current version of a database (0 when new). */
export function schemaVersion(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as {
    v: number | null;
  };
  return row.v ?? 0;
}

/**
 * Applies every migration newer than the database. A database newer than this build is
 * refused rather than written with an older idea of the schema.
 */
export function migrate(db: Database.Database): number {
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `The database has schema version ${current}, newer than this server's ${SCHEMA_VERSION}; upgrade Tessenger.`,
    );
  }
  for (const step of MIGRATIONS) {
    if (step.version <= current) continue;
    db.transaction(() => {
      db.exec(step.sql);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(step.version);
    })();
  }
  return SCHEMA_VERSION;
}
