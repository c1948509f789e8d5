/**
 * Every SQL statement of the SQLite store, prepared once when the database opens. Kept apart
 * from the store's logic so each reads on its own.
 */
import type Database from 'better-sqlite3';
import { DIRECT_SEGMENT } from './migrations.js';

/** The store's statements, prepared on `db` (which must already be migrated). */
export function prepareStatements(db: Database.Database) {
  return {
    lastDirect: db.prepare('SELECT COALESCE(MAX(n), 0) AS n FROM direct_messages'),
    insertDirect: db.prepare(
      'INSERT INTO direct_messages (n, ts, sender, recipient, text) VALUES (?, ?, ?, ?, ?)',
    ),
    nextGroupN: db.prepare('UPDATE groups SET last_n = last_n + 1 WHERE name = ? RETURNING last_n'),
    insertGroupMessage: db.prepare(
      'INSERT INTO group_messages (group_name, n, ts, sender, text) VALUES (?, ?, ?, ?, ?)',
    ),
    insertGroup: db.prepare('INSERT INTO groups (name, creator, created_at) VALUES (?, ?, ?)'),
    upsertMember: db.prepare(`
      INSERT INTO memberships (group_name, username, state, invited_by, position)
      VALUES (?, ?, ?, ?, (SELECT COUNT(*) FROM memberships WHERE group_name = ?))
      ON CONFLICT (group_name, username) DO UPDATE SET state = excluded.state`),
    deleteMember: db.prepare('DELETE FROM memberships WHERE group_name = ? AND username = ?'),
    enqueue: db.prepare('INSERT INTO offline_queue (recipient, event) VALUES (?, ?)'),
    queue: db.prepare(
      'SELECT id, event FROM offline_queue WHERE recipient = ? ORDER BY id LIMIT ?',
    ),
    dequeue: db.prepare('DELETE FROM offline_queue WHERE recipient = ? AND id <= ?'),
    queueLength: db.prepare('SELECT COUNT(*) AS n FROM offline_queue WHERE recipient = ?'),
    deliver: db.prepare(
      `UPDATE direct_messages SET delivered_at = ?
       WHERE n = ? AND recipient = ? AND delivered_at IS NULL RETURNING *`,
    ),
    direct: db.prepare('SELECT * FROM direct_messages WHERE n = ? AND recipient = ?'),
    block: db.prepare('INSERT OR IGNORE INTO blocks (owner, blocked) VALUES (?, ?)'),
    unblock: db.prepare('DELETE FROM blocks WHERE owner = ? AND blocked = ?'),
    lastSeen: db.prepare(
      'INSERT INTO last_seen (username, ts) VALUES (?, ?) ON CONFLICT (username) DO UPDATE SET ts = excluded.ts',
    ),
    // The newest `limit` messages of a pair within segments lo..hi. One index search per
    // segment and direction, all inside SQLite: an OR of the two directions would search
    // the index by segment only and filter every entry of it. (A pair of one user with
    // itself is one direction.)
    directHistory: db.prepare(`
      WITH RECURSIVE segments (s) AS (SELECT @hi UNION ALL SELECT s - 1 FROM segments WHERE s > @lo)
      SELECT * FROM direct_messages
      WHERE ${DIRECT_SEGMENT} IN segments AND sender = @a AND recipient = @b
      UNION ALL
      SELECT * FROM direct_messages
      WHERE ${DIRECT_SEGMENT} IN segments AND sender = @b AND recipient = @a AND @a <> @b
      ORDER BY n DESC LIMIT @limit`),
    groupHistory: db.prepare(
      'SELECT * FROM group_messages WHERE group_name = ? ORDER BY n DESC LIMIT ?',
    ),
    directAfter: db.prepare('SELECT * FROM direct_messages WHERE n > ? ORDER BY n'),
    groupAfter: db.prepare(
      'SELECT * FROM group_messages WHERE group_name = ? AND n > ? ORDER BY n',
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
