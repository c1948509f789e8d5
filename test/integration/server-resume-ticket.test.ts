/**
 * Signed session resume tickets (docs/SECURITY.md, "Session resume tickets"): a login hands
 * one out, `resume` signs the user in again with it (no password, no scrypt), across a server
 * restart on the same data folder; forged, tampered, expired, revoked and stale tickets are
 * refused alike, and each refusal counts against the address.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/server/auth.js';
import { TICKET_REFUSED } from '../../src/server/handlers/resume.js';
import { CREDENTIALS, USERS, useTestServer } from '../helpers/server-fixture.js';

/** Logs in with the password and returns the ticket of the reply. */
async function ticketOf(h: ReturnType<typeof useTestServer>, user: string): Promise<string> {
  const c = await h.t.connect();
  const data = await c.ok('login', { username: user, password: USERS[user], udpPort: 6000 });
  expect(data.ticket).toEqual(expect.any(String));
  c.destroy();
  return data.ticket as string;
}

/** Waits until the server has signed the dropped user out (presence is gone). */
async function waitOffline(h: ReturnType<typeof useTestServer>, user: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const log = await h.t.readLog('userlog.txt').catch(() => '');
    if (!log.includes(`; ${user};`)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${user} stayed online`);
}

describe('session resume tickets', () => {
  const h = useTestServer({ maxFailedLoginsPerAddress: 1000 });

  it('resumes after a server restart on the same data folder, with a hashed password', async () => {
    const hashed = CREDENTIALS.replace(/^Yoda \S+$/m, `Yoda ${hashPassword(USERS.Yoda!)}`);
    await writeFile(h.t.credentialsPath, hashed);
    const ticket = await ticketOf(h, 'Yoda');
    const key = await stat(path.join(h.t.dir, 'data', 'ticket-key'));
    expect(key.mode & 0o777).toBe(0o600);
    const before = await readFile(path.join(h.t.dir, 'data', 'ticket-key'), 'utf8');

    await h.restart();
    expect(await readFile(path.join(h.t.dir, 'data', 'ticket-key'), 'utf8')).toBe(before);
    const c = await h.t.connect();
    const data = await c.ok('resume', { ticket, udpPort: 6001 });
    expect(data.username).toBe('Yoda');
    expect(data.ticket).toBe(ticket);
    expect(data.udp).toEqual(expect.objectContaining({ port: h.t.server.udpPort }));
    expect(h.t.lines).toContain('Yoda login');
    // Admitted like a login: online for the others, one session only.
    const other = await h.t.login('Hans');
    const users = await other.ok('activeuser');
    expect(users.users.map((u: { username: string }) => u.username)).toContain('Yoda');
    const again = await h.t.connect();
    expect((await again.fail('resume', { ticket, udpPort: 6002 })).code).toBe('ALREADY_LOGGED_IN');
    // A resumed session is logged in: a second sign-in on it is refused.
    expect((await c.fail('resume', { ticket, udpPort: 6001 })).code).toBe('ALREADY_AUTHENTICATED');
  });

  it('refuses forged, tampered and expired tickets with one text', async () => {
    const ticket = await ticketOf(h, 'Yoda');
    await waitOffline(h, 'Yoda');
    const parts = ticket.split('.');
    const swap = (i: number, value: string) => parts.map((p, j) => (j === i ? value : p)).join('.');
    const flip = (s: string) => (s[0] === 'A' ? `B${s.slice(1)}` : `A${s.slice(1)}`);
    const bad = [
      'garbage',
      '',
      swap(1, Buffer.from('Hans').toString('base64url')),
      swap(3, String(Number(parts[3]) + 1)),
      swap(4, flip(parts[4]!)),
      swap(5, flip(parts[5]!)),
      swap(0, 'v2'),
      `${ticket}.x`,
    ];
    const c = await h.t.connect();
    for (const t of bad) {
      const r = await c.fail('resume', { ticket: t, udpPort: 6000 });
      expect(r.code).toBe('TICKET_REFUSED');
      expect(r.message).toBe(TICKET_REFUSED);
    }
    // 12 hours later the genuine ticket is refused the same way.
    h.t.clock.advance(12 * 60 * 60_000);
    const late = await h.t.connect();
    const r = await late.fail('resume', { ticket, udpPort: 6000 });
    expect(r.code).toBe('TICKET_REFUSED');
    expect(r.message).toBe(TICKET_REFUSED);
  });

  it('counts refused tickets toward the address limit', async () => {
    const limited = await h.restart({ maxFailedLoginsPerAddress: 3 });
    const c = await limited.connect();
    for (let i = 0; i < 3; i++) {
      expect((await c.fail('resume', { ticket: `bad${i}`, udpPort: 1 })).code).toBe(
        'TICKET_REFUSED',
      );
    }
    const d = await limited.connect();
    expect((await d.fail('resume', { ticket: 'bad', udpPort: 1 })).code).toBe('RATE_LIMITED');
  });

  it('refuses a ticket after /logout, also after a restart', async () => {
    const c = await h.t.connect();
    const { ticket } = await c.ok('login', { username: 'Yoda', password: USERS.Yoda, udpPort: 1 });
    await c.ok('logout');
    const d = await h.t.connect();
    expect((await d.fail('resume', { ticket, udpPort: 1 })).code).toBe('TICKET_REFUSED');
    await h.restart();
    const e = await h.t.connect();
    expect((await e.fail('resume', { ticket, udpPort: 1 })).message).toBe(TICKET_REFUSED);
    // A fresh login gets a fresh, working ticket.
    const fresh = await ticketOf(h, 'Yoda');
    expect(fresh).not.toBe(ticket);
    await waitOffline(h, 'Yoda');
    const f = await h.t.connect();
    expect((await f.ok('resume', { ticket: fresh, udpPort: 1 })).username).toBe('Yoda');
  });

  it('a ticket used to resume is revoked by that session\u2019s /logout', async () => {
    const ticket = await ticketOf(h, 'Yoda');
    await waitOffline(h, 'Yoda');
    const c = await h.t.connect();
    await c.ok('resume', { ticket, udpPort: 1 });
    await c.ok('logout');
    const d = await h.t.connect();
    expect((await d.fail('resume', { ticket, udpPort: 1 })).code).toBe('TICKET_REFUSED');
  });

  it('refuses a ticket once the password changed in credentials.txt', async () => {
    const ticket = await ticketOf(h, 'Yoda');
    await waitOffline(h, 'Yoda');
    await writeFile(
      h.t.credentialsPath,
      CREDENTIALS.replace(/^Yoda \S+$/m, 'Yoda a-new-password-entirely'),
    );
    const c = await h.t.connect();
    const r = await c.fail('resume', { ticket, udpPort: 1 });
    expect(r.code).toBe('TICKET_REFUSED');
    expect(r.message).toBe(TICKET_REFUSED);
    // Others' tickets are untouched.
    const hans = await ticketOf(h, 'Hans');
    await waitOffline(h, 'Hans');
    expect((await c.ok('resume', { ticket: hans, udpPort: 1 })).username).toBe('Hans');
  });

  it('refuses a ticket of a blocked account with the lock-out text', async () => {
    const ticket = await ticketOf(h, 'Yoda');
    await waitOffline(h, 'Yoda');
    const c = await h.t.connect();
    for (let i = 0; i < 3; i++) {
      await c.fail('login', { username: 'Yoda', password: 'nope', udpPort: 1 });
    }
    const r = await c.fail('resume', { ticket, udpPort: 1 });
    expect(r.code).toBe('ACCOUNT_LOCKED');
  });
});
