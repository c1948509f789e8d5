/**
 * Real client cores (ChatClient with a real UDP engine and download folder) against a test
 * server started per test; everything is logged out, closed and removed after each test.
 */
import fs from 'node:fs/promises';
import { afterEach, beforeEach } from 'vitest';
import { ChatClient } from '../../src/client/chat-client.js';
import type { FileHasher } from '../../src/client/file-digest.js';
import { createTransferEngine } from '../../src/transfer/engine.js';
import type { TransferEngine } from '../../src/transfer/types.js';
import { silentLogger } from '../../src/util/logger.js';
import {
  startTestServer,
  type TestServer,
  type TestServerOptions,
  USERS,
} from './server-fixture.js';
import { tempDir } from './transfer-harness.js';

export interface ClientCores {
  /** The running test server (set in beforeEach). */
  readonly server: TestServer;
  /** A temporary folder removed after the test. */
  dir(): Promise<string>;
  /** A transfer engine on 127.0.0.1, closed after the test. */
  engine(): Promise<TransferEngine>;
  /** A signed-in client core with its own engine and download folder. */
  client(user: string, hasher?: FileHasher): Promise<{ client: ChatClient; downloads: string }>;
}

export function useClientCores(
  engineOptions: { stallTimeoutMs?: number } = {},
  serverOptions: TestServerOptions = {},
): ClientCores {
  let server: TestServer | undefined;
  const engines: TransferEngine[] = [];
  const clients: ChatClient[] = [];
  const dirs: string[] = [];

  beforeEach(async () => {
    server = await startTestServer(serverOptions);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.logout().catch(() => undefined);
    for (const e of engines.splice(0)) await e.close();
    await server?.close();
    for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
  });

  const cores: ClientCores = {
    get server(): TestServer {
      if (!server) throw new Error('the test server starts in beforeEach');
      return server;
    },
    async dir() {
      const d = await tempDir();
      dirs.push(d);
      return d;
    },
    async engine() {
      const e = await createTransferEngine({ port: 0, host: '127.0.0.1', ...engineOptions });
      engines.push(e);
      return e;
    },
    async client(user, hasher) {
      const downloads = await cores.dir();
      const client = await ChatClient.connect({
        host: '127.0.0.1',
        port: cores.server.port,
        engine: await cores.engine(),
        downloadDir: downloads,
        logger: silentLogger,
        ...(hasher ? { hasher } : {}),
      });
      clients.push(client);
      await client.login(user, USERS[user]!);
      return { client, downloads };
    },
  };
  return cores;
}
