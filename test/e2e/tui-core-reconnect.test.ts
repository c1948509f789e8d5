/**
 * The client core the TUI stands on, against a real server on a real socket: after the
 * server restarts on the same port, the reconnector signs in again with the credentials held
 * in memory and messages flow on the new connection.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient } from '../../src/client/chat-client.js';
import { type LinkState, Reconnector } from '../../src/client/reconnect.js';
import { startServer, type TessengerServer } from '../../src/server/server.js';
import { createTransferEngine } from '../../src/transfer/engine.js';
import { silentLogger } from '../../src/util/logger.js';
import { makeTempDir, SAMPLE_CREDENTIALS as PW, writeCredentials } from '../helpers/temp-dir.js';

let dir: string;
let cleanup: () => Promise<void>;
let server: TessengerServer;
const clients: ChatClient[] = [];

const start = (port: number) =>
  startServer({
    host: '127.0.0.1',
    port,
    maxAttempts: 3,
    credentialsPath: path.join(dir, 'credentials.txt'),
    logDir: path.join(dir, 'logs'),
    console: () => {},
  });

async function client(user: string): Promise<ChatClient> {
  const engine = await createTransferEngine({ port: 0, logger: silentLogger });
  const c = await ChatClient.connect({
    host: '127.0.0.1',
    port: server.port,
    engine,
    downloadDir: dir,
    logger: silentLogger,
  });
  await c.login(user, PW[user]!);
  clients.push(c);
  return c;
}

/** Resolves with the first state matching `want`. */
const nextState = (r: Reconnector, want: LinkState['state']) =>
  new Promise<LinkState>((resolve) => {
    const on = (s: LinkState) => {
      if (s.state !== want) return;
      r.off('state', on);
      resolve(s);
    };
    r.on('state', on);
  });

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('tessenger-core-'));
  await writeCredentials(dir);
  server = await start(0);
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await server.close();
  await cleanup();
});

describe('client core reconnect against a real server', () => {
  it('signs in again after a restart and receives on the new connection', async () => {
    const yoda = await client('Yoda');
    const reconnector = new Reconnector(yoda, {
      policy: { baseMs: 50, maxMs: 400, jitter: 0.5 },
    });
    const waiting = nextState(reconnector, 'waiting');
    const online = nextState(reconnector, 'online');
    const port = server.port;
    await server.close();
    expect(await waiting).toMatchObject({ attempt: 1 });
    server = await start(port);
    await online;
    expect(yoda.connected).toBe(true);
    expect(yoda.user).toBe('Yoda');

    const obiwan = await client('obiwan');
    const got = new Promise((resolve) => yoda.once('message', resolve));
    await obiwan.run({ name: 'msgto', to: 'Yoda', text: 'welcome back' });
    expect(await got).toMatchObject({ from: 'obiwan', text: 'welcome back' });
    const { users } = (await yoda.run({ name: 'activeuser' })) as { users: { username: string }[] };
    expect(users.map((u) => u.username)).toEqual(['obiwan']);
    reconnector.stop();
    expect(reconnector.pending).toBe(false);
  });

  it('does not reconnect after a logout', async () => {
    const hans = await client('Hans');
    const reconnector = new Reconnector(hans);
    const states: LinkState[] = [];
    reconnector.on('state', (s) => states.push(s));
    const gone = new Promise((resolve) => hans.once('disconnected', resolve));
    await hans.logout();
    expect(await gone).toEqual({ expected: true });
    expect(reconnector.pending).toBe(false);
    expect(states).toEqual([]);
    reconnector.stop();
  });
});
