/**
 * The TUI shows what plain mode says about an incoming transfer: the newly pinned server
 * certificate at login, "Playing ... with ..." when a player is fed, and "Resuming ... at N%"
 * when an earlier attempt left bytes on disk, and between the two, "stopped: obiwan went offline"
 * as soon as the server tells it the presenter was killed mid-transfer.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type CliProcess,
  FAKE_PLAYER,
  loginClient,
  startServerProcess,
} from '../helpers/cli-process.js';
import { PtyTerminal } from '../helpers/pty-terminal.js';
import { makeTempDir, SAMPLE_CREDENTIALS as PW, writeCredentials } from '../helpers/temp-dir.js';

const SIZE = 300 * 1024 * 1024 + 17;
const cleanups: Array<() => Promise<void>> = [];
const procs: CliProcess[] = [];
let port: number;
let tui: PtyTerminal;
let yodaDir: string;

async function folder(): Promise<string> {
  const t = await makeTempDir('tessenger-tui-transfer-');
  cleanups.push(t.cleanup);
  return t.dir;
}

beforeAll(async () => {
  const serverDir = await folder();
  await writeCredentials(serverDir);
  const started = await startServerProcess(serverDir, ['--credentials', 'credentials.txt']);
  procs.push(started.proc);
  port = started.port;
  yodaDir = await folder();
  const player = `'${process.execPath}' '${FAKE_PLAYER}' '${path.join(yodaDir, 'played.out')}'`;
  tui = new PtyTerminal(
    // A stall time-out longer than the test's time limit: only the server's notice ends a
    // receive whose presenter was killed.
    ['client', '127.0.0.1', String(port), '0', '--player', player, '--stall-timeout', '600'],
    { cwd: yodaDir },
  );
});

afterAll(async () => {
  tui?.kill();
  for (const p of procs) p.kill();
  for (const c of cleanups) await c();
});

async function presenter(dir: string): Promise<CliProcess> {
  const proc = await loginClient(dir, port, 'obiwan', PW.obiwan!, ['--stall-timeout', '3']);
  procs.push(proc);
  return proc;
}

it('shows the newly pinned certificate at login and in the server pane', async () => {
  await tui.waitFor(`New server 127.0.0.1:${port}: certificate SHA256`);
  await tui.type('Yoda');
  tui.write('\r');
  await tui.waitFor(/Password: +│/);
  tui.write(`${PW.Yoda}\r`);
  await tui.waitFor('Welcome to TESSENGER, Yoda!');
  await tui.waitFor(`New server 127.0.0.1:${port}: certificate`);
});

it('shows "Playing" and, after the presenter was killed, "Resuming ... at N%"', async () => {
  const obiwanDir = await folder();
  const content = randomBytes(SIZE);
  await fs.writeFile(path.join(obiwanDir, 'talk.mp4'), content);
  let obiwan = await presenter(obiwanDir);
  obiwan.line('/p2pvideo Yoda talk.mp4');
  await tui.waitFor(/@obiwan/);
  tui.write('\x1b2');
  await tui.waitFor('Direct chat with obiwan');
  await tui.waitFor('Playing talk.mp4 with node while receiving');
  // Kill the presenter once the TUI's side has recorded some bytes on disk.
  const deadline = Date.now() + 60_000;
  while (!(await fs.readdir(yodaDir)).some((n) => n.endsWith('.ranges'))) {
    if (Date.now() > deadline) throw new Error('no sidecar appeared');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  obiwan.kill('SIGKILL');
  await obiwan.exited;
  // The chat pane says why and what to do; the transfers panel keeps the reason on one row.
  // The chat line wraps in the pane: its two halves.
  await tui.waitFor('Transfer of talk.mp4 from obiwan stopped:');
  await tui.waitFor(/obiwan went offline; \d+% kept, send it/);
  await tui.waitFor(/talk\.mp4 ← obiwan +stopped: obiwan went offline/);

  obiwan = await presenter(obiwanDir);
  obiwan.line('/p2pvideo Yoda talk.mp4');
  await tui.waitFor(/Resuming talk\.mp4 from obiwan at \d+%/);
  await obiwan.waitFor('talk.mp4 has been uploaded', { timeoutMs: 120_000 });
  await tui.waitFor('Received talk.mp4 from', 60_000);
  const saved = await fs.readFile(path.join(yodaDir, 'obiwan_talk.mp4'));
  expect(createHash('sha256').update(saved).digest('hex')).toBe(
    createHash('sha256').update(content).digest('hex'),
  );
}, 180_000);
