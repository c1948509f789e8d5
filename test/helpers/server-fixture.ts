/**
 * A server on 127.0.0.1 port 0 in its own temp folder with its own credentials file,
 * a ManualClock: a test fires the server's time-outs by advancing it. Nothing here sleeps.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { type ServerConfig, startServer, type TessengerServer } from '../../src/server/server.js';
import { loadOrCreateIdentity } from '../../src/server/tls-identity.js';
import { ManualClock } from '../../src/util/clock.js';
import { CREDENTIALS_TEXT, SAMPLE_USERS } from './fixtures.js';
import { TestClient } from './server-client.js';

/** The sample users of SPEC.md (fixtures/credentials.txt), with shell metacharacters in passwords. */
export const USERS = SAMPLE_USERS;

/** fixtures/credentials.txt as written to each test server's folder. */
export const CREDENTIALS = CREDENTIALS_TEXT;

/** 1 Jun 2022 21:30:04 local time, the SPEC.md example moment. */
export const START_MS = new Date(2022, 5, 1, 21, 30, 4).getTime();

export interface TestServer {
  server: TessengerServer;
  port: number;
  dir: string;
  logDir: string;
  credentialsPath: string;
  /** The server's time and timers; `advance` fires what falls due, `pending` counts the rest. */
  clock: ManualClock;
  /** Console lines printed by the server. */
  lines: string[];
  config: ServerConfig;
  connect(): Promise<TestClient>;
  /** Connects and logs in with the user's password from USERS; fails the test otherwise. */
  login(username: string, udpPort?: number): Promise<TestClient>;
  readLog(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestServerOptions extends Partial<ServerConfig> {
  credentials?: string;
  /** Reuse a folder (restart tests); a new temp folder otherwise. */
  dir?: string;
  /** TLS 1.3 with a certificate made in the folder, as the CLI server runs; test clients use it. */
  withTls?: boolean;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { credentials, dir: givenDir, withTls, ...overrides } = options;
  const dir = givenDir ?? (await mkdtemp(path.join(os.tmpdir(), 'tessenger-server-')));
  const credentialsPath = path.join(dir, 'credentials.txt');
  if (!givenDir || credentials !== undefined) {
    await writeFile(credentialsPath, credentials ?? CREDENTIALS);
  }
  const clock = new ManualClock(START_MS);
  const lines: string[] = [];
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    maxAttempts: 3,
    credentialsPath,
    logDir: path.join(dir, 'logs'),
    dataDir: path.join(dir, 'data'),
    // Off unless a test turns it on: their timers would sit among the ones a test counts.
    idleMs: 0,
    lastSeenFlushMs: 0,
    clock,
    console: (line) => lines.push(line),
    ...(withTls ? { tls: await loadOrCreateIdentity(path.join(dir, 'data')) } : {}),
    ...overrides,
  };
  const server = await startServer(config);
  const clients: TestClient[] = [];
  const connect = async (): Promise<TestClient> => {
    const client = await TestClient.connect(server.port, '127.0.0.1', withTls === true);
    clients.push(client);
    return client;
  };
  return {
    server,
    port: server.port,
    dir,
    logDir: config.logDir,
    credentialsPath,
    clock,
    lines,
    config,
    connect,
    async login(username, udpPort = 6000) {
      const client = await connect();
      await client.ok('login', { username, password: USERS[username], udpPort });
      return client;
    },
    readLog: (name) => readFile(path.join(config.logDir, name), 'utf8'),
    async close() {
      for (const client of clients) client.destroy();
      await server.close();
    },
  };
}

/** Removes a test folder. */
export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** A suite's server: a fresh one per test, closed and removed after it. */
export interface ServerHolder {
  /** The current test's server. */
  readonly t: TestServer;
  /** Closes the server and starts another on the same folder (restart tests). */
  restart(options?: TestServerOptions): Promise<TestServer>;
}

export function useTestServer(options: TestServerOptions = {}): ServerHolder {
  let current: TestServer | undefined;
  beforeEach(async () => {
    current = await startTestServer(options);
  });
  afterEach(async () => {
    if (!current) return;
    await current.close();
    await removeDir(current.dir);
    current = undefined;
  });
  return {
    get t() {
      if (!current) throw new Error('no server outside a test');
      return current;
    },
    async restart(more = {}) {
      if (!current) throw new Error('no server outside a test');
      await current.close();
      current = await startTestServer({ ...options, ...more, dir: current.dir });
      return current;
    },
  };
}
