/**
 * Per-address and per-connection limits on a live server: the login time limit (slowloris),
 * the connection cap per address, and the failed-login budget per address. The server's
 * manual clock is moved by hand and fires its time-outs; nothing sleeps.
 */
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { loadOrCreateIdentity } from '../../src/server/tls-identity.js';
import { TestClient } from '../helpers/server-client.js';
import { USERS, useTestServer } from '../helpers/server-fixture.js';

const LOGIN_MS = 30_000;
/** connections.ts: how long an ended socket may ignore our FIN. */
const LINGER_MS = 2000;

describe('login time limit', () => {
  const h = useTestServer({ loginTimeoutMs: LOGIN_MS });

  it('hangs up on a client that trickles bytes and never logs in; a logged-in one stays', async () => {
    const yoda = await h.t.login('Yoda');
    const slow = await h.t.connect();
    // Slowloris: a frame that never ends, a byte at a time.
    for (const byte of '{"v":1,"id":1,"type":"login","username":"Yo') slow.writeRaw(byte);
    await waitFor(() => h.t.clock.pending === 1);
    expect(h.t.clock.advance(LOGIN_MS)).toBe(1);
    await slow.closed;
    expect(slow.pushes('bye')).toEqual([
      {
        type: 'bye',
        reason: 'You did not log in in time. Please connect again.',
        code: 'LOGIN_TIMEOUT',
      },
    ]);
    expect(await yoda.ok('activeuser')).toBeDefined();
  });

  it('clears the timer at login and at close, leaving none behind', async () => {
    const c = await h.t.connect();
    await waitFor(() => h.t.clock.pending === 1);
    await c.ok('login', { username: 'obiwan', password: USERS.obiwan, udpPort: 6000 });
    expect(h.t.clock.pending).toBe(0);
    const d = await h.t.connect();
    await waitFor(() => h.t.clock.pending === 1);
    d.destroy();
    await d.closed;
    await waitFor(() => h.t.clock.pending === 0);
  });
});

describe('login time limit over TLS', () => {
  const h = useTestServer({ loginTimeoutMs: LOGIN_MS, tls: null });

  it('cuts a client stalled in the middle of the TLS handshake', async () => {
    await h.restart({ tls: await loadOrCreateIdentity(path.join(h.t.dir, 'data')) });
    const raw = net.connect(h.t.port, '127.0.0.1');
    raw.on('error', () => {});
    const closed = new Promise((r) => raw.once('close', r));
    await new Promise((r) => raw.once('connect', r));
    // The first bytes of a ClientHello, then nothing.
    raw.write(Buffer.from([0x16, 0x03, 0x01]));
    await waitFor(() => h.t.clock.pending === 1);
    expect(h.t.clock.advance(LOGIN_MS)).toBe(1);
    // The polite end cannot finish mid-handshake; the linger guard destroys the socket.
    await waitFor(() => h.t.clock.advance(LINGER_MS) > 0 || raw.closed);
    await closed;
  });
});

describe('connections per address', () => {
  const h = useTestServer({ maxConnectionsPerAddress: 8 });

  it('refuses the connection over the cap at once; a freed slot can be used again', async () => {
    const held = await Promise.all(Array.from({ length: 8 }, () => h.t.connect()));
    for (const c of held) await c.ok('ping');
    const extra = await TestClient.connect(h.t.port);
    await extra.closed;
    held[0]!.destroy();
    await held[0]!.closed;
    await waitFor(async () => {
      const again = await TestClient.connect(h.t.port);
      const alive = await Promise.race([
        again.request('ping').then(() => true),
        again.closed.then(() => false),
      ]);
      again.destroy();
      return alive;
    });
    // Everyone under the cap was served throughout.
    for (const c of held.slice(1)) await c.ok('ping');
  });
});

describe('failed logins per address', () => {
  // No login time limit: the minute this test moves the clock on would hang up on the client.
  const h = useTestServer({ maxFailedLoginsPerAddress: 20, loginTimeoutMs: 0 });

  it('stops an address after 20 failed logins a minute, even with the right password', async () => {
    const c = await h.t.connect();
    // Many usernames, so no single account's lock-out ever trips.
    for (let i = 0; i < 20; i++) {
      const name =
        i % 2 === 0 ? `nobody${i}` : ['Yoda', 'obiwan', 'Hans', 'vader', 'Tiger'][i % 5]!;
      const r = await c.fail('login', { username: name, password: `guess${i}`, udpPort: 6000 });
      expect([
        ErrorCode.InvalidUsername,
        ErrorCode.InvalidPassword,
        ErrorCode.AccountBlocked,
      ]).toContain(r.code);
    }
    const limited = await c.fail('login', {
      username: 'Hans',
      password: USERS.Hans,
      udpPort: 6000,
    });
    expect(limited.code).toBe(ErrorCode.RateLimited);
    expect(limited.message).toBe(
      'Too many failed logins from your address. Please try again in 60 s.',
    );
    expect(limited.retryAfterMs).toBe(60_000);
    h.t.clock.advance(60_001);
    await c.ok('login', { username: 'Hans', password: USERS.Hans, udpPort: 6000 });
  });
});

async function waitFor(check: () => boolean | Promise<boolean>): Promise<void> {
  // Polls I/O turns (not a timer being waited out): the server runs in this process.
  for (let i = 0; i < 2000; i++) {
    if (await check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition never held');
}
