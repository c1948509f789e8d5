/**
 * The client core's reconnect signs in with the resume ticket it holds in memory: after a
 * server restart on the same port and data folder no password is checked (no scrypt); when
 * the server refuses the ticket (a new key) it falls back to the password.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatClient } from '../../src/client/chat-client.js';
import { Authenticator } from '../../src/server/auth.js';
import { createTransferEngine } from '../../src/transfer/engine.js';
import type { TransferEngine } from '../../src/transfer/types.js';
import { silentLogger } from '../../src/util/logger.js';
import { removeDir, startTestServer, type TestServer, USERS } from '../helpers/server-fixture.js';

let server: TestServer | undefined;
const clients: ChatClient[] = [];
const engines: TransferEngine[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  for (const e of engines.splice(0)) await e.close().catch(() => undefined);
  if (server) {
    await server.close();
    await removeDir(server.dir);
    server = undefined;
  }
});

async function signedIn(user: string): Promise<ChatClient> {
  const t = server as TestServer;
  const engine = await createTransferEngine({ port: 0, host: '127.0.0.1' });
  engines.push(engine);
  const client = await ChatClient.connect({
    host: '127.0.0.1',
    port: t.port,
    engine,
    downloadDir: t.dir,
    logger: silentLogger,
  });
  clients.push(client);
  await client.login(user, USERS[user]!);
  return client;
}

/** Stops the server and starts it again on the same port and folder. */
async function restart(): Promise<TestServer> {
  const t = server as TestServer;
  await t.close();
  server = await startTestServer({ dir: t.dir, port: t.port });
  return server;
}

describe('client reconnect with a resume ticket', () => {
  it('signs in again after a restart without the password', async () => {
    server = await startTestServer();
    const client = await signedIn('Yoda');
    const dropped = new Promise((resolve) => client.once('disconnected', resolve));
    await restart();
    await dropped;
    const verify = vi.spyOn(Authenticator.prototype, 'verify');
    await client.reconnect();
    expect(verify).not.toHaveBeenCalled();
    expect(client.connected).toBe(true);
    expect((server as TestServer).lines).toContain('Yoda login');
    // And it works: another user sees Yoda online and can message them.
    const hans = await (server as TestServer).login('Hans');
    const message = new Promise((resolve) => client.once('message', resolve));
    await hans.ok('msgto', { to: 'Yoda', text: 'back already?' });
    expect(await message).toEqual(expect.objectContaining({ from: 'Hans', text: 'back already?' }));
  });

  it('falls back to the password when the server refuses the ticket', async () => {
    server = await startTestServer();
    const client = await signedIn('Yoda');
    const dropped = new Promise((resolve) => client.once('disconnected', resolve));
    const t = server;
    await t.close();
    await dropped;
    // A new key: every ticket of the old one is refused.
    await rm(path.join(t.dir, 'data', 'ticket-key'));
    server = await startTestServer({ dir: t.dir, port: t.port });
    const verify = vi.spyOn(Authenticator.prototype, 'verify');
    await client.reconnect();
    expect(verify).toHaveBeenCalledTimes(1);
    expect(client.connected).toBe(true);
    // The password login handed out a new ticket: the next reconnect needs no password.
    const again = new Promise((resolve) => client.once('disconnected', resolve));
    await restart();
    await again;
    await client.reconnect();
    expect(verify).toHaveBeenCalledTimes(1);
  });
});
