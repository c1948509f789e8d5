import { describe, expect, it } from 'vitest';
import { USERS, useTestServer } from '../helpers/server-fixture.js';

describe('server login and lock-out', () => {
  const h = useTestServer({ maxAttempts: 3, blockMs: 10_000 });

  it('logs in with the right password and prints the console line', async () => {
    const c = await h.t.connect();
    const reply = await c.login('Yoda', USERS.Yoda!, 6666);
    expect(reply).toEqual({
      v: 1,
      id: 1,
      type: 'ok',
      data: {
        username: 'Yoda',
        udp: {
          port: h.t.server.udpPort,
          session: expect.stringMatching(/^[0-9a-f]{16}$/),
          key: expect.any(String),
          relay: true,
        },
        ticket: expect.stringMatching(/^v1\./),
      },
    });
    expect(Buffer.from(reply.type === 'ok' ? reply.data.udp.key : '', 'base64')).toHaveLength(32);
    expect(h.t.lines).toContain('Yoda login');
  });

  it('refuses an unknown user without counting toward lock-out', async () => {
    const c = await h.t.connect();
    for (let i = 0; i < 5; i++) {
      const r = await c.fail('login', { username: 'Luke', password: 'x', udpPort: 7000 });
      expect(r.code).toBe('INVALID_USERNAME');
      expect(r.message).toBe('Invalid Username. Please try again');
    }
  });

  it('blocks after N wrong passwords, across connections, for blockMs', async () => {
    const a = await h.t.connect();
    const wrong = { username: 'Yoda', password: 'nope', udpPort: 7000 };
    const r1 = await a.fail('login', wrong);
    expect(r1.code).toBe('INVALID_PASSWORD');
    expect(r1.message).toBe('Invalid Password. Please try again');
    expect((await a.fail('login', wrong)).code).toBe('INVALID_PASSWORD');
    const b = await h.t.connect();
    const r3 = await b.fail('login', wrong);
    expect(r3.code).toBe('ACCOUNT_BLOCKED');
    expect(r3.message).toBe(
      'Invalid Password. Your account has been blocked. Please try again later',
    );
    const right = { username: 'Yoda', password: USERS.Yoda, udpPort: 7000 };
    const c = await h.t.connect();
    const locked = await c.fail('login', right);
    expect(locked.code).toBe('ACCOUNT_LOCKED');
    expect(locked.message).toBe(
      'Your account is blocked due to multiple login failures. Please try again later',
    );
    expect(locked.retryAfterMs).toBe(10_000);
    h.t.clock.advance(9_999);
    expect((await c.fail('login', right)).code).toBe('ACCOUNT_LOCKED');
    h.t.clock.advance(1);
    expect((await c.ok('login', right)).username).toBe('Yoda');
  });

  it('resets the failure count on success', async () => {
    const a = await h.t.connect();
    const wrong = { username: 'Hans', password: 'nope', udpPort: 7000 };
    await a.fail('login', wrong);
    await a.fail('login', wrong);
    await a.ok('login', { username: 'Hans', password: USERS.Hans, udpPort: 7000 });
    await a.ok('logout');
    const b = await h.t.connect();
    await b.fail('login', wrong);
    await b.fail('login', wrong);
    expect((await b.fail('login', wrong)).code).toBe('ACCOUNT_BLOCKED');
  });

  it('refuses a second concurrent login of the same user', async () => {
    await h.t.login('obiwan');
    const b = await h.t.connect();
    const r = await b.fail('login', { username: 'obiwan', password: USERS.obiwan, udpPort: 7001 });
    expect(r.code).toBe('ALREADY_LOGGED_IN');
    expect(r.message).toBe('obiwan is already logged in from another terminal.');
    // The refused attempt must not have evicted the real session.
    const c = await h.t.login('Yoda');
    expect((await c.ok('activeuser')).users.map((u: { username: string }) => u.username)).toEqual([
      'obiwan',
    ]);
  });

  it('lets exactly one of two racing logins of the same user in', async () => {
    const a = await h.t.connect();
    const b = await h.t.connect();
    const creds = { username: 'Tiger', password: USERS.Tiger, udpPort: 7000 };
    const replies = await Promise.all([a.request('login', creds), b.request('login', creds)]);
    expect(replies.map((r) => (r.type === 'ok' ? 'ok' : r.code)).sort()).toEqual([
      'ALREADY_LOGGED_IN',
      'ok',
    ]);
    // Two frames in one write on one connection: the second sees the first's admission.
    const c = await h.t.connect();
    const first = c.takeId();
    const second = c.takeId();
    const frame = (id: number) =>
      JSON.stringify({
        v: 1,
        id,
        type: 'login',
        username: 'vader',
        password: USERS.vader,
        udpPort: 1,
      });
    c.writeRaw(`${frame(first)}\n${frame(second)}\n`);
    expect((await c.reply(first)).type).toBe('ok');
    expect(await c.reply(second)).toMatchObject({ code: 'ALREADY_AUTHENTICATED' });
    expect(h.t.lines.filter((l) => l === 'vader login')).toHaveLength(1);
  });

  it('gates requests on the session state', async () => {
    const c = await h.t.connect();
    expect((await c.ok('ping')) as object).toEqual({});
    expect((await c.fail('activeuser')).code).toBe('NOT_LOGGED_IN');
    expect((await c.fail('msgto', { to: 'Yoda', text: 'hi' })).code).toBe('NOT_LOGGED_IN');
    await c.ok('login', { username: 'vader', password: USERS.vader, udpPort: 7000 });
    const again = await c.fail('login', { username: 'vader', password: USERS.vader, udpPort: 1 });
    expect(again.code).toBe('ALREADY_AUTHENTICATED');
    expect(await c.ok('ping')).toEqual({});
  });
});
