/**
 * Two full-screen clients on one server, as two new users would try it: Yoda's side panes
 * must follow what obiwan does (logging in, joining a group, leaving) without Yoda typing a
 * command or changing pane. Before issue 15 the online list waited for a 20 s refresh and the
 * member list for a pane change.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TessengerServer } from '../../src/server/server.js';
import { loadOrCreateIdentity } from '../../src/server/tls-identity.js';
import { PtyTerminal } from '../helpers/pty-terminal.js';
import { makeTempDir, SAMPLE_CREDENTIALS as PW, writeCredentials } from '../helpers/temp-dir.js';

const cleanups: Array<() => Promise<void>> = [];
let server: TessengerServer;
let yoda: PtyTerminal;
let obiwan: PtyTerminal;

/** Room for the 3 s online poll on two shared cores; far short of the old 20 s refresh. */
const LIVE_MS = 8_000;

async function folder(): Promise<string> {
  const t = await makeTempDir('tessenger-tui2-');
  cleanups.push(t.cleanup);
  return t.dir;
}

async function tuiLogin(user: string): Promise<PtyTerminal> {
  const term = new PtyTerminal(['client', '127.0.0.1', String(server.port), '0'], {
    cwd: await folder(),
  });
  await term.waitFor('Username:');
  await term.type(user);
  term.write('\r');
  await term.waitFor(/Password: +│/);
  term.write(`${PW[user]}\r`);
  await term.waitFor(`Welcome to TESSENGER, ${user}!`);
  return term;
}

/** Types a line and presses Enter, waiting for the echo first (blessed-safe typing). */
async function enter(term: PtyTerminal, text: string): Promise<void> {
  await term.type(text);
  term.write('\r');
}

beforeAll(async () => {
  const dir = await folder();
  await writeCredentials(dir);
  server = await startServer({
    tls: await loadOrCreateIdentity(path.join(dir, 'data')),
    host: '127.0.0.1',
    port: 0,
    maxAttempts: 3,
    credentialsPath: path.join(dir, 'credentials.txt'),
    logDir: path.join(dir, 'logs'),
    console: () => {},
  });
});

afterAll(async () => {
  yoda?.kill();
  obiwan?.kill();
  await server?.close();
  for (const c of cleanups) await c();
});

describe('two TUI clients on one server', () => {
  it("shows obiwan in Yoda's online pane as soon as he logs in", async () => {
    yoda = await tuiLogin('Yoda');
    await yoda.waitFor(/Online \(0\)/);
    obiwan = await tuiLogin('obiwan');
    // No message, no group, no key pressed in Yoda's client: the pane still follows.
    await yoda.waitFor(/Online \(1\)[\s\S]*obiwan +\d\d:\d\d/, LIVE_MS);
    await obiwan.waitFor(/Online \(1\)[\s\S]*Yoda +\d\d:\d\d/, LIVE_MS);
  });

  it("updates Yoda's member pane when obiwan joins the group and when he leaves it", async () => {
    await enter(yoda, '/creategroup jedi obiwan');
    await yoda.waitFor('Group chat #jedi');
    await yoda.waitFor(/#jedi \(2\)[\s\S]*obiwan +invited/, LIVE_MS);
    await obiwan.waitFor(/#jedi/);
    await enter(obiwan, '/joingroup jedi');
    await obiwan.waitFor('Joined the group chat: jedi successfully.');
    // Yoda stays in the group's pane, typing nothing: the join must reach his nick list.
    await yoda.waitForGone(/obiwan +invited/, LIVE_MS);
    expect(yoda.row(/│ obiwan *$/)).toBeDefined();
    await enter(obiwan, 'Hello, master');
    await yoda.waitFor(/obiwan │ Hello, master/);
    expect(yoda.text()).not.toMatch(/obiwan +invited/);
    await enter(obiwan, '/leavegroup jedi');
    await yoda.waitFor(/#jedi \(1\)/, LIVE_MS);
    expect(yoda.row(/│ obiwan/)).toBeUndefined();
  });

  it("drops obiwan from Yoda's online pane when he quits, with no contact left between them", async () => {
    yoda.write('\x1b1');
    await yoda.waitFor(/Online \(1\)[\s\S]*obiwan +\d\d:\d\d/);
    obiwan.write('\x03');
    expect(await obiwan.exited).toBe(0);
    await yoda.waitFor(/Online \(0\)[\s\S]*no other user/, LIVE_MS);
  });
});
