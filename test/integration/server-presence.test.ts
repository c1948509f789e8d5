/**
 * Presence notices, /lastseen, /away, block lists and the idle time-out, driven by the
 * fixture's ManualClock, whose timers fire as it is advanced (no sleeps).
 */
import { describe, expect, it } from 'vitest';
import { START_MS, useTestServer } from '../helpers/server-fixture.js';

const MINUTE = 60_000;

describe('presence and block lists', () => {
  const h = useTestServer();

  it('tells direct-message partners of logins, logouts, away and back', async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    // No contact yet: a login is not told to everyone online (that costs N²/2 pushes).
    await yoda.ok('ping');
    expect(yoda.pushes('presence')).toEqual([]);
    await yoda.ok('msgto', { to: 'obiwan', text: 'there you are' });
    await obiwan.ok('logout');
    expect(await yoda.push('presence')).toEqual({
      type: 'presence',
      user: 'obiwan',
      status: 'offline',
      ts: START_MS,
    });
    const again = await h.t.login('obiwan');
    expect(await yoda.push('presence')).toEqual({
      type: 'presence',
      user: 'obiwan',
      status: 'online',
      ts: START_MS,
    });
    expect(await again.ok('away', { text: 'meditating' })).toEqual({
      away: true,
      text: 'meditating',
    });
    expect(await yoda.push('presence')).toMatchObject({ status: 'away', text: 'meditating' });
    const active = await yoda.ok('activeuser');
    expect(active.users[0]).toMatchObject({ username: 'obiwan', away: 'meditating' });
    expect(await yoda.ok('msgto', { to: 'obiwan', text: 'hi' })).toMatchObject({
      away: 'meditating',
    });
    expect(await again.ok('away', { text: '' })).toEqual({ away: false, text: '' });
    expect(await yoda.push('presence')).toMatchObject({ user: 'obiwan', status: 'back' });
    // Partners both ways: obiwan hears of Yoda too.
    await yoda.ok('logout');
    expect(await again.push('presence')).toMatchObject({ user: 'Yoda', status: 'offline' });
  });

  it('tells group peers, invited ones included, and nobody else', async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    const hans = await h.t.login('Hans');
    await yoda.ok('creategroup', { group: 'council', members: ['obiwan'] });
    await obiwan.ok('logout');
    expect(await yoda.push('presence')).toMatchObject({ user: 'obiwan', status: 'offline' });
    await h.t.login('obiwan');
    expect(await yoda.push('presence')).toMatchObject({ user: 'obiwan', status: 'online' });
    // Hans shares nothing with obiwan: he learns of him from /activeuser only.
    await hans.ok('ping');
    expect(hans.pushes('presence')).toEqual([]);
    expect(
      (await hans.ok('activeuser')).users.map((u: { username: string }) => u.username),
    ).toEqual(['Yoda', 'obiwan']);
  });

  it('hides you from users you blocked and refuses their messages and files', async () => {
    const yoda = await h.t.login('Yoda');
    const vader = await h.t.login('vader');
    // Partners from here on: without the block, vader would hear of Yoda's logins.
    await vader.ok('msgto', { to: 'Yoda', text: 'I am your father' });
    expect(await yoda.ok('block', { user: 'vader' })).toEqual({ user: 'vader' });
    expect((await yoda.fail('block', { user: 'vader' })).code).toBe('ALREADY_BLOCKED');
    expect((await yoda.fail('block', { user: 'Yoda' })).code).toBe('SELF');
    expect((await yoda.fail('block', { user: 'Luke' })).code).toBe('UNKNOWN_USER');
    expect(await yoda.ok('blocked')).toEqual({ users: ['vader'] });
    expect(await vader.fail('msgto', { to: 'Yoda', text: 'join me' })).toMatchObject({
      code: 'BLOCKED',
      message: 'Yoda has blocked you; your message was not delivered.',
    });
    const offer = await vader.fail('p2p-offer', {
      to: 'Yoda',
      filename: 'x.mp4',
      size: 1,
      sha256: 'a'.repeat(64),
      publicKey: 'k',
    });
    expect(offer).toMatchObject({
      code: 'BLOCKED',
      message: 'Yoda has blocked you; the file was not sent.',
    });
    expect((await vader.ok('activeuser')).users).toEqual([]);
    expect(await vader.fail('creategroup', { group: 'sith', members: ['Yoda'] })).toMatchObject({
      code: 'BLOCKED',
      message: 'Yoda has blocked you; you cannot add them to a group.',
    });
    expect((await vader.ok('lastseen', { minutes: 60 })).users).toEqual([]);
    // Yoda logs out and in again: vader hears nothing of it.
    await yoda.ok('logout');
    const again = await h.t.login('Yoda');
    expect(vader.pushes('presence')).toEqual([]);
    // Yoda can still write to vader; unblocking restores everything.
    await again.ok('msgto', { to: 'vader', text: 'no' });
    await again.ok('unblock', { user: 'vader' });
    expect((await again.fail('unblock', { user: 'vader' })).code).toBe('NOT_BLOCKED');
    await vader.ok('msgto', { to: 'Yoda', text: 'ok' });
    // Blocks are durable.
    await again.ok('block', { user: 'Hans' });
    await h.restart();
    const y = await h.t.login('Yoda');
    expect(await y.ok('blocked')).toEqual({ users: ['Hans'] });
  });
});

describe('/lastseen', () => {
  // Batched writes that the (hand-fired) timer never flushes: what survives the restart below
  // is what the server's close wrote.
  const h = useTestServer({ lastSeenFlushMs: 60_000 });

  it('lists users seen in the last N minutes, by the injected clock and across restarts', async () => {
    const obiwan = await h.t.login('obiwan');
    h.t.clock.advance(MINUTE);
    await obiwan.ok('logout');
    h.t.clock.advance(10 * MINUTE);
    await (await h.t.login('Hans')).ok('logout');
    h.t.clock.advance(51 * MINUTE);
    const yoda = await h.t.login('Yoda');
    await h.t.login('vader');
    const seen = await yoda.ok('lastseen', { minutes: 60 });
    expect(seen).toEqual({
      minutes: 60,
      users: [
        { username: 'vader', lastSeen: START_MS + 62 * MINUTE, online: true },
        { username: 'Hans', lastSeen: START_MS + 11 * MINUTE, online: false },
      ],
    });
    expect((await yoda.ok('lastseen', { minutes: 0 })).minutes).toBe(60);
    expect(
      (await yoda.ok('lastseen', { minutes: 120 })).users.map(
        (u: { username: string }) => u.username,
      ),
    ).toEqual(['vader', 'Hans', 'obiwan']);
    await h.restart();
    const y = await h.t.login('Yoda');
    const after = await y.ok('lastseen', { minutes: 120 });
    expect(after.users.map((u: { username: string }) => u.username)).toEqual([
      'vader',
      'Hans',
      'obiwan',
    ]);
  });
});

describe('idle time-out', () => {
  const h = useTestServer({ idleMs: 30 * MINUTE });

  it('logs out a session idle too long, with a message; activity and pings keep the right time', async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    h.t.clock.advance(20 * MINUTE);
    await yoda.ok('activeuser');
    await obiwan.ok('ping');
    // The TUI's own refresh of its online pane is not the user's activity either.
    expect((await obiwan.ok('activeuser', { auto: true })).users).toHaveLength(1);
    expect((await obiwan.fail('activeuser', { auto: 'yes' })).code).toBe('BAD_REQUEST');
    expect(h.t.lines).toContain('Yoda issued /activeuser command');
    expect(h.t.lines).not.toContain('obiwan issued /activeuser command');
    h.t.clock.advance(10 * MINUTE);
    expect(await obiwan.push('bye')).toEqual({
      type: 'bye',
      reason: 'You were logged out after 30 minutes without activity.',
      code: 'IDLE_TIMEOUT',
    });
    await obiwan.closed;
    expect(h.t.lines).toContain('obiwan logged out after being idle');
    expect(h.t.lines).toContain('obiwan logout');
    // Yoda was active 10 minutes ago: her timer re-armed for the 20 left.
    expect(yoda.pushes('bye')).toEqual([]);
    h.t.clock.advance(20 * MINUTE);
    expect((await yoda.push('bye')).code).toBe('IDLE_TIMEOUT');
  });
});
