/**
 * Signed session resume tickets: a password login hands one out, and a `resume` request with
 * it signs the same user in again without scrypt (a reconnect storm after a server restart).
 *
 * A ticket is `v1.<username b64url>.<issued ms>.<expires ms>.<random id>.<mac b64url>`, the
 * MAC an HMAC-SHA256 with the server's key over the fields and a SHA-256 of the user's stored
 * credential, so a changed password invalidates every older ticket. The key is made at first
 * start in the data folder (`ticket-key`, mode 0600), so tickets survive a restart. /logout
 * revokes the session's ticket: its id goes into a set kept in memory and appended to
 * `ticket-revoked` (id and expiry per line, pruned at start), so a restart keeps it revoked.
 * See docs/SECURITY.md, "Session resume tickets".
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TimeSource } from '../util/clock.js';

/** Default lifetime of a ticket: 12 hours from the password login. */
export const DEFAULT_TICKET_LIFETIME_MS = 12 * 60 * 60_000;

const VERSION = 'v1';
const ID = /^[A-Za-z0-9_-]{22}$/;
const DIGITS = /^\d{1,16}$/;
/** Longest ticket worth looking at: 32-char name, two times, id and MAC, with room to spare. */
const MAX_TICKET_CHARS = 256;

/** A hash of a stored credential (plain password or scrypt hash), never the credential itself. */
export function credentialTag(stored: string): Buffer {
  return createHash('sha256').update(`tessenger-ticket-credential\0${stored}`).digest();
}

export interface TicketOptions {
  /** Folder of ticket-key and ticket-revoked; null: a key in memory only (tests, no data dir). */
  dataDir: string | null;
  clock: TimeSource;
  lifetimeMs?: number;
  /**
   * A cluster's shared key (every node must accept every node's tickets); the revocations
   * then travel between nodes (`onRevoke`, `applyRevoked`) instead of living in one file.
   */
  sharedKey?: Buffer;
}

/** Issues and checks tickets; the one owner of the key and the revocation set. */
export class ResumeTickets {
  /** Revoked ticket id → its expiry (dropped once expired: an expired ticket is refused anyway). */
  private readonly revoked = new Map<string, number>();
  /** The ticket each session was admitted with, revoked by that session's /logout. */
  private readonly bySession = new WeakMap<object, { id: string; expires: number }>();
  private readonly lifetimeMs: number;
  /** Told every revocation made here (the cluster tells the other nodes). */
  onRevoke: ((id: string, expires: number) => Promise<void>) | null = null;

  private constructor(
    private readonly key: Buffer,
    private readonly revokedPath: string | null,
    private readonly clock: TimeSource,
    lifetimeMs: number | undefined,
  ) {
    this.lifetimeMs = lifetimeMs ?? DEFAULT_TICKET_LIFETIME_MS;
  }

  /** Reads (or creates, mode 0600) the key and reads the revocation list. */
  static async open(options: TicketOptions): Promise<ResumeTickets> {
    if (options.sharedKey !== undefined) {
      return new ResumeTickets(options.sharedKey, null, options.clock, options.lifetimeMs);
    }
    if (options.dataDir === null) {
      return new ResumeTickets(randomBytes(32), null, options.clock, options.lifetimeMs);
    }
    await mkdir(options.dataDir, { recursive: true });
    const keyPath = path.join(options.dataDir, 'ticket-key');
    const key = await loadOrCreateKey(keyPath);
    const revokedPath = path.join(options.dataDir, 'ticket-revoked');
    const tickets = new ResumeTickets(key, revokedPath, options.clock, options.lifetimeMs);
    await tickets.loadRevoked();
    return tickets;
  }

  private async loadRevoked(): Promise<void> {
    if (this.revokedPath === null) return;
    let text: string;
    try {
      text = await readFile(this.revokedPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const now = this.clock.now();
    let dropped = 0;
    for (const line of text.split('\n')) {
      const [id, expires] = line.split(' ');
      if (id === undefined || expires === undefined || !ID.test(id) || !DIGITS.test(expires)) {
        if (line !== '') dropped++;
        continue;
      }
      if (Number(expires) > now) this.revoked.set(id, Number(expires));
      else dropped++;
    }
    // Pruned at start, so the file holds at most a lifetime's worth of logouts.
    if (dropped > 0) {
      const kept = [...this.revoked].map(([id, expires]) => `${id} ${expires}\n`).join('');
      await writeFile(this.revokedPath, kept, { mode: 0o600 });
    }
  }

  /** A fresh ticket for a user who just proved the password; remembered for the session. */
  issue(session: object, username: string, stored: string): string {
    const issued = this.clock.now();
    const expires = issued + this.lifetimeMs;
    const id = randomBytes(16).toString('base64url');
    const name = Buffer.from(username, 'utf8').toString('base64url');
    const body = `${VERSION}.${name}.${issued}.${expires}.${id}`;
    this.bySession.set(session, { id, expires });
    return `${body}.${this.mac(body, stored)}`;
  }

  /**
   * The username of a valid ticket, or null (forged, tampered, expired, revoked, or the
   * password changed since): the caller tells nothing more. `storedOf` gives the user's
   * current stored credential (undefined for an unknown user).
   */
  async check(
    ticket: string,
    storedOf: (username: string) => Promise<string | undefined>,
  ): Promise<string | null> {
    if (ticket.length > MAX_TICKET_CHARS) return null;
    const parts = ticket.split('.');
    if (parts.length !== 6) return null;
    const [version, name, issued, expires, id, mac] = parts as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (version !== VERSION || !DIGITS.test(issued) || !DIGITS.test(expires) || !ID.test(id)) {
      return null;
    }
    const username = Buffer.from(name, 'base64url').toString('utf8');
    // Canonical encoding only, so one ticket has one spelling.
    if (Buffer.from(username, 'utf8').toString('base64url') !== name) return null;
    const stored = await storedOf(username);
    if (stored === undefined) return null;
    const body = `${version}.${name}.${issued}.${expires}.${id}`;
    const want = Buffer.from(this.mac(body, stored), 'utf8');
    const got = Buffer.from(mac, 'utf8');
    if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    const now = this.clock.now();
    if (Number(expires) <= now || Number(issued) > now + 60_000) return null;
    if (this.revoked.has(id)) return null;
    return username;
  }

  /** Notes that a session was admitted with this (checked) ticket, for its /logout. */
  adopt(session: object, ticket: string): void {
    const parts = ticket.split('.');
    this.bySession.set(session, { id: parts[4] ?? '', expires: Number(parts[3]) });
  }

  /** Revokes the ticket the session signed in with or was given (at /logout); durable. */
  async revokeSession(session: object): Promise<void> {
    const entry = this.bySession.get(session);
    if (!entry) return;
    this.bySession.delete(session);
    this.revoked.set(entry.id, entry.expires);
    if (this.revokedPath !== null) {
      await appendFile(this.revokedPath, `${entry.id} ${entry.expires}\n`, { mode: 0o600 });
    }
    await this.onRevoke?.(entry.id, entry.expires);
  }

  /** A revocation made on another node of the cluster. */
  applyRevoked(id: string, expires: number): void {
    if (expires > this.clock.now()) this.revoked.set(id, expires);
  }

  private mac(body: string, stored: string): string {
    return createHmac('sha256', this.key)
      .update(body)
      .update('\0')
      .update(credentialTag(stored))
      .digest('base64url');
  }
}

async function loadOrCreateKey(keyPath: string): Promise<Buffer> {
  try {
    const text = await readFile(keyPath, 'utf8');
    const key = Buffer.from(text.trim(), 'hex');
    if (key.length < 32) throw new Error(`${keyPath} holds no 32-byte hex key`);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32);
  try {
    // wx: a second server starting at the same moment does not overwrite the first's key.
    await writeFile(keyPath, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return loadOrCreateKey(keyPath);
  }
}
