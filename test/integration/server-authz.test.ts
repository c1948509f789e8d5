/**
 * Authorisation across every request type: nothing but login, resume, register and ping before
 * logging in; and a blocked user gets the very same answers whether the blocker is online or
 * not, so no request reveals the blocker's presence.
 */
import { describe, expect, it } from 'vitest';
import { REQUEST_TYPES } from '../../src/protocol/control.js';
import type { TestClient } from '../helpers/server-client.js';
import { USERS, useTestServer } from '../helpers/server-fixture.js';

/** Every type a client may send only once logged in. */
const ALL = REQUEST_TYPES.filter((t) => !['login', 'resume', 'register', 'ping'].includes(t));
const FIELDS = {
  to: 'Yoda',
  text: 'x',
  group: 'g1',
  members: ['Yoda'],
  filename: 'f',
  size: 1,
  sha256: 'ab',
  publicKey: 'k',
  transferId: 't',
  accept: true,
  reason: '',
  messageId: 1,
  conversation: 'Yoda',
  limit: 5,
  user: 'Yoda',
  minutes: 5,
};

describe('authorisation', () => {
  const h = useTestServer();

  it('refuses every request type but login, resume, register and ping before login', async () => {
    const c = await h.t.connect();
    for (const type of ALL) {
      expect((await c.fail(type, FIELDS)).code, type).toBe('NOT_LOGGED_IN');
    }
    expect(await c.ok('ping')).toEqual({});
  });

  it('admits one user per connection even when two logins are pipelined', async () => {
    const c = await h.t.connect();
    const first = c.takeId();
    const second = c.takeId();
    const login = (id: number, username: string) =>
      JSON.stringify({ v: 1, id, type: 'login', username, password: USERS[username], udpPort: 1 });
    c.writeRaw(`${login(first, 'Hans')}\n${login(second, 'vader')}\n`);
    expect((await c.reply(first)).type).toBe('ok');
    expect(await c.reply(second)).toMatchObject({ code: 'ALREADY_AUTHENTICATED' });
    const other = await h.t.login('Tiger');
    const online = (await other.ok('activeuser')).users.map(
      (u: { username: string }) => u.username,
    );
    expect(online).toEqual(['Hans']);
  });

  it('gives a blocked user the same answers whether the blocker is online or not', async () => {
    const yoda = await h.t.login('Yoda');
    const vader = await h.t.login('vader');
    await yoda.ok('creategroup', { group: 'g1', members: ['vader'] });
    await vader.ok('joingroup', { group: 'g1' });
    await yoda.ok('block', { user: 'vader' });

    const probe = async (c: TestClient) => {
      const answers: unknown[] = [];
      for (const [type, fields] of [
        ['msgto', { to: 'Yoda', text: 'hi' }],
        ['p2p-offer', { to: 'Yoda', filename: 'f', size: 1, sha256: 'ab', publicKey: 'k' }],
        ['creategroup', { group: 'g2', members: ['Yoda'] }],
        ['activeuser', {}],
        ['lastseen', { minutes: 60 }],
        ['members', { group: 'g1' }],
      ] as const) {
        const r = await c.request(type, fields);
        answers.push(r.type === 'ok' ? r.data : { code: r.code, message: r.message });
      }
      return answers;
    };
    const whileOnline = await probe(vader);
    await yoda.ok('logout');
    await yoda.closed;
    const whileOffline = await probe(vader);
    expect(whileOffline).toEqual(whileOnline);
    await h.t.login('Yoda');
    expect(await probe(vader)).toEqual(whileOnline);
    expect(vader.pushes('presence')).toEqual([]);
  });
});
