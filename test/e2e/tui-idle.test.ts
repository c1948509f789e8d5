/**
 * The TUI after the server logs its user out for inactivity: the client core treats that as
 * final, as plain mode does, so the TUI restores the terminal and says why.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TessengerServer } from '../../src/server/server.js';
import { loadOrCreateIdentity } from '../../src/server/tls-identity.js';
import { PtyTerminal } from '../helpers/pty-terminal.js';
import { makeTempDir, SAMPLE_CREDENTIALS as PW, writeCredentials } from '../helpers/temp-dir.js';

let server: TessengerServer;
let cleanup: () => Promise<void>;
let tui: PtyTerminal;

beforeAll(async () => {
  const temp = await makeTempDir('tessenger-tui-idle-');
  cleanup = temp.cleanup;
  await writeCredentials(temp.dir);
  server = await startServer({
    // TLS, as the CLI client expects by default.
    tls: await loadOrCreateIdentity(path.join(temp.dir, 'data')),
    host: '127.0.0.1',
    port: 0,
    maxAttempts: 3,
    credentialsPath: path.join(temp.dir, 'credentials.txt'),
    logDir: path.join(temp.dir, 'logs'),
    idleMs: 1500,
    console: () => {},
  });
  tui = new PtyTerminal(['client', '127.0.0.1', String(server.port), '0'], { cwd: temp.dir });
});

afterAll(async () => {
  tui?.kill();
  await server?.close();
  await cleanup?.();
});

it('leaves cleanly after an idle logout, saying why', async () => {
  await tui.waitFor('Username:');
  await tui.type('Hans');
  tui.write('\r');
  await tui.waitFor(/Password: +│/);
  tui.write(`${PW.Hans}\r`);
  await tui.waitFor('Welcome to TESSENGER, Hans!');
  expect(await tui.exited).toBe(0);
  await tui.waitFor(/You were logged out after 1500 ms without activity\.\n(\r)?Bye, Hans!/);
  expect(tui.term.buffer.active.type).toBe('normal');
});
