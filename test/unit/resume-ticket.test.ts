import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ResumeTickets } from '../../src/server/resume-ticket.js';
import { ManualClock } from '../../src/util/clock.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
const stored = async (name: string) => (name === 'Yoda' ? 'pw' : undefined);

describe('ResumeTickets', () => {
  it('keeps its key (0600) and revocations across a reopen and prunes expired ones', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessenger-ticket-'));
    dirs.push(dir);
    const clock = new ManualClock(1_000_000);
    const a = await ResumeTickets.open({ dataDir: dir, clock, lifetimeMs: 1000 });
    const session = {};
    const ticket = a.issue(session, 'Yoda', 'pw');
    expect((await stat(path.join(dir, 'ticket-key'))).mode & 0o777).toBe(0o600);
    const b = await ResumeTickets.open({ dataDir: dir, clock, lifetimeMs: 1000 });
    expect(await b.check(ticket, stored)).toBe('Yoda');
    await a.revokeSession(session);
    expect(await a.check(ticket, stored)).toBeNull();
    const c = await ResumeTickets.open({ dataDir: dir, clock, lifetimeMs: 1000 });
    expect(await c.check(ticket, stored)).toBeNull();
    // Once expired, the revocation line is dropped at the next start.
    clock.advance(1000);
    await writeFile(path.join(dir, 'ticket-revoked'), 'junk line\n', { flag: 'a' });
    await ResumeTickets.open({ dataDir: dir, clock, lifetimeMs: 1000 });
    expect(await readFile(path.join(dir, 'ticket-revoked'), 'utf8')).toBe('');
  });

  it('refuses a ticket of another key, of an unknown user and a changed credential', async () => {
    const clock = new ManualClock(0);
    const a = await ResumeTickets.open({ dataDir: null, clock });
    const b = await ResumeTickets.open({ dataDir: null, clock });
    const ticket = a.issue({}, 'Yoda', 'pw');
    expect(await a.check(ticket, stored)).toBe('Yoda');
    expect(await b.check(ticket, stored)).toBeNull();
    expect(await a.check(ticket, async () => undefined)).toBeNull();
    expect(await a.check(ticket, async () => 'new-pw')).toBeNull();
    expect(await a.check('x'.repeat(10_000), stored)).toBeNull();
  });
});
