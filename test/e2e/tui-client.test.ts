/**
 * The real TUI in a pseudo-terminal against a real server: one user (Yoda) in the TUI, the
 * others as plain clients. The steps run in order and share the session, as a user would.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TessengerServer } from '../../src/server/server.js';
import { loadOrCreateIdentity } from '../../src/server/tls-identity.js';
import { type CliProcess, loginClient } from '../helpers/cli-process.js';
import { saveScreenDump } from '../helpers/pty-screen-dump.js';
import { PtyTerminal } from '../helpers/pty-terminal.js';
import { makeTempDir, SAMPLE_CREDENTIALS as PW, writeCredentials } from '../helpers/temp-dir.js';

const cleanups: Array<() => Promise<void>> = [];
let serverDir: string;
let yodaDir: string;
let server: TessengerServer;
let port: number;
let tui: PtyTerminal;
const peers: Record<string, CliProcess> = {};
const peerDirs: Record<string, string> = {};

// TLS as the CLI server uses by default; the certificate stays in the folder across restarts.
const start = async (p: number) =>
  startServer({
    tls: await loadOrCreateIdentity(path.join(serverDir, 'data')),
    host: '127.0.0.1',
    port: p,
    maxAttempts: 3,
    credentialsPath: path.join(serverDir, 'credentials.txt'),
    logDir: path.join(serverDir, 'logs'),
    allowRegister: true,
    console: () => {},
  });

async function folder(): Promise<string> {
  const t = await makeTempDir('tessenger-tui-');
  cleanups.push(t.cleanup);
  return t.dir;
}

async function peer(name: string): Promise<CliProcess> {
  peerDirs[name] = await folder();
  peers[name] = await loginClient(peerDirs[name], port, name, PW[name]!);
  return peers[name];
}

/** Types a line and presses Enter, waiting for the echo first (blessed-safe typing). */
async function enter(text: string): Promise<void> {
  await tui.type(text);
  tui.write('\r');
}

/** Colour parameters (30-37, 40-47, 90-97, 100-107, 38/48) of the SGR sequences in `raw`. */
function colourCodes(raw: string): string[] {
  const found: string[] = [];
  for (const m of raw.matchAll(new RegExp(`${'\x1b'}\\[([0-9;]*)m`, 'g'))) {
    for (const p of m[1]!.split(';')) {
      if (/^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$/.test(p)) found.push(p);
    }
  }
  return found;
}

/** Bells rung, not counting the BEL that ends each title (OSC) sequence. */
function bellCount(raw: string): number {
  const withoutTitles = raw.replace(new RegExp(`${'\x1b'}\\][^${'\x07'}]*${'\x07'}`, 'g'), '');
  return withoutTitles.split('\x07').length - 1;
}

beforeAll(async () => {
  serverDir = await folder();
  yodaDir = await folder();
  await writeCredentials(serverDir);
  server = await start(0);
  port = server.port;
  tui = new PtyTerminal(['client', '127.0.0.1', String(port), '0'], { cwd: yodaDir });
});

afterAll(async () => {
  tui?.kill();
  for (const p of Object.values(peers)) p.kill();
  await server?.close();
  for (const c of cleanups) await c();
});

describe('TUI client in a pseudo-terminal', () => {
  it('logs in, showing the wrong-password message in place', async () => {
    await tui.waitFor('Username:');
    await enter('Yoda');
    await tui.waitFor(/Password: +│/);
    tui.write('not-the-password\r');
    await tui.waitFor('Invalid Password. Please try again');
    tui.write(`${PW.Yoda}\r`);
    await tui.waitFor('Welcome to TESSENGER, Yoda!');
    expect(colourCodes(tui.raw).length).toBeGreaterThan(0);
    expect(tui.row(/^\[\d\d:\d\d\]/)).toMatch(
      new RegExp(`\\[Yoda@127\\.0\\.0\\.1:${port}\\] \\[online\\] \\[1:server\\]`),
    );
  });

  it('puts a direct message in its own pane, marked, with a bell', async () => {
    const obiwan = await peer('obiwan');
    const bells = bellCount(tui.raw);
    obiwan.line('/msgto Yoda Hello there, young one');
    await tui.waitFor(/ 2 @obiwan +1!/);
    expect(bellCount(tui.raw)).toBeGreaterThan(bells);
    expect(tui.raw).toContain('\x1b]0;Tessenger Yoda (1 unread)');
    tui.write('\x1b2');
    await tui.waitFor('Direct chat with obiwan');
    expect(tui.row(/Hello there/)).toMatch(/\d\d:\d\d(:\d\d)? obiwan │ Hello there, young one/);
    await tui.waitFor(/obiwan +\d\d:\d\d/); // in the online list, with its active-since time
  });

  it('switches panes with the mouse', async () => {
    tui.write('\x1b1');
    await tui.waitFor(/^Tessenger 127/);
    const row = tui.lines().findIndex((l) => / 2 @obiwan/.test(l));
    tui.click(3, row);
    await tui.waitFor('Direct chat with obiwan');
  });

  it('shows a user who is no contact in the online list once another pane comes into focus', async () => {
    // Hans shares no group and no message with Yoda: the server pushes her no presence notice
    // of his login, so the list is asked for again when the focus moves.
    await tui.waitFor('Direct chat with obiwan');
    const hans = await peer('Hans');
    tui.write('\x1b1');
    await tui.waitFor(/^Tessenger 127/);
    // The focus change asks at once; the online list's 3 s poll would bring him in too.
    await tui.waitFor(/Hans +\d\d:\d\d/, 10_000);
    hans.line('/logout');
    expect(await hans.exited).toBe(0);
    tui.write('\x1b2');
    await tui.waitFor('Direct chat with obiwan');
    await tui.waitForGone(/Hans +\d\d:\d\d/, 10_000);
  });

  it('sends with a Tab-completed username', async () => {
    tui.write('\x1b1');
    await tui.waitFor(/^\[server\]/m);
    await tui.type('/msgto ob');
    tui.write('\t');
    await tui.waitFor(/\[server\] \/msgto obiwan$/m);
    await enter('the force is strong 日本 🎉');
    await peers.obiwan!.waitFor('Yoda: the force is strong 日本 🎉');
    tui.write('\x1b2');
    // The receipt from obiwan's client marks the line delivered.
    await tui.waitFor(/Yoda │ the force is strong 日本 🎉 ✓/);
  });

  it('puts a group message in the group pane, joined with a Tab-completed group', async () => {
    peers.obiwan!.line('/creategroup jedi Yoda');
    await tui.waitFor(/#jedi/);
    await tui.type('/joingroup je');
    tui.write('\t');
    await tui.waitFor('/joingroup jedi');
    tui.write('\r');
    await tui.waitFor('Joined the group chat: jedi successfully.');
    await tui.waitFor('Group chat #jedi');
    tui.write('\x0e'); // Ctrl+N: on to the next pane (wraps to server), back with Ctrl+P
    await tui.waitFor(/Tessenger 127/);
    peers.obiwan!.line('/groupmsg jedi Meet at the temple, Yoda');
    await tui.waitFor(/#jedi +1!/);
    tui.write('\x10');
    await tui.waitFor('Group chat #jedi');
    expect(tui.row(/Meet at the temple/)).toMatch(/obiwan │ Meet at the temple, Yoda/);
    // In a group's pane the side pane lists its members, as a channel's nick list.
    await tui.waitFor(/│ #jedi \(2\)\n.*│ obiwan *\n.*│ Yoda *\n/);
    await enter('On my way');
    await peers.obiwan!.waitFor(/jedi, Yoda: On my way/);
  });

  it('keeps the panes aligned around wide characters', async () => {
    peers.obiwan!.line('/groupmsg jedi 日本語のテスト ok');
    await tui.waitFor('日本語のテスト ok');
    const lines = tui.lines();
    const wide = lines.findIndex((l) => l.includes('日本語'));
    const plain = lines.findIndex((l) => l.includes('Meet at the temple'));
    expect(tui.columnsOf(wide, '│')).toEqual(tui.columnsOf(plain, '│'));
  });

  it('asks before sending a paste of several lines', async () => {
    tui.write('one\ntwo\nthree\n');
    await tui.waitFor('Paste 3 lines? Ctrl+Y sends them one by one');
    tui.write('\x1b');
    await tui.waitFor(/^\[#jedi\] *$/m);
    expect(tui.text()).not.toContain('│ one');
  });

  it('shows a received /p2pvideo in the transfers panel until "Received"', async () => {
    const obiwanDir = peerDirs.obiwan!;
    const data = randomBytes(8 * 1024 * 1024);
    await fs.writeFile(path.join(obiwanDir, 'clip.mp4'), data);
    peers.obiwan!.line('/p2pvideo Yoda clip.mp4');
    await tui.waitFor('Transfers');
    await tui.waitFor(/↓ clip\.mp4 ← obiwan +\[#+\] 100% Received 8\.0 MiB/, 30_000);
    const saved = await fs.readFile(path.join(yodaDir, 'obiwan_clip.mp4'));
    expect(saved.equals(data)).toBe(true);
    await saveScreenDump(tui, 'main screen at 100x30');
  });

  it('sends a file with /p2pvideo and Tab-completed names, to "Uploaded"', async () => {
    await tui.type('/p2pvideo ob');
    tui.write('\t');
    await tui.waitFor(/\[#jedi\] \/p2pvideo obiwan$/m);
    await tui.type('obiwan_c');
    tui.write('\t');
    await tui.waitFor(/\[#jedi\] \/p2pvideo obiwan obiwan_clip\.mp4$/m);
    tui.write('\r');
    await tui.waitFor(/↑ obiwan_clip\.mp4 → obiwan +\[#+\] 100% Uploaded 8\.0 MiB/, 30_000);
    await peers.obiwan!.waitFor('Received obiwan_clip.mp4 from Yoda');
  });

  it('cancels a running transfer with Ctrl+X', async () => {
    // Sparse, so it costs no disk; big enough to still be running when the key arrives.
    const big = path.join(yodaDir, 'big.bin');
    await fs.writeFile(big, '');
    await fs.truncate(big, 1024 * 1024 * 1024);
    await enter('/p2pvideo obiwan big.bin');
    await tui.waitFor(/>↑ big\.bin → obiwan +\[[#.]+\] +\d+% .* direct/, 30_000);
    tui.write('\x18'); // Ctrl+X
    await tui.waitFor(/↑ big\.bin → obiwan +failed: /, 30_000);
    await peers.obiwan!.waitFor(/Transfer of big\.bin from Yoda failed/);
  });

  it('redraws on resize and works at 80x24', async () => {
    tui.resize(80, 24);
    // Narrow: the online users move under the conversation list.
    await tui.waitFor(/^#jedi \(2\) *│/m);
    expect(tui.lines()).toHaveLength(24);
    expect(tui.row(/^\[\d\d:\d\d\]/)).toContain('[online]');
    await saveScreenDump(tui, 'after a resize to 80x24', 'narrow');
    tui.resize(100, 30);
    await tui.waitFor(/│ #jedi \(2\)/);
  });

  it('reconnects after the server restarts, keeping what was typed', async () => {
    for (const p of Object.values(peers)) p.kill();
    await server.close();
    await tui.waitFor(/^\[\d\d:\d\d\] .*\[(disconnected|reconnecting)/m);
    await tui.type('typed while offline');
    server = await start(port);
    await tui.waitFor(/^\[\d\d:\d\d\] .*\[online\]/m, 30_000);
    tui.write('\x1b1');
    await tui.waitFor('Signed in again as Yoda');
    expect(tui.row(/^\[server\]/)).toContain('typed while offline');
  });

  it('scrolls back with the wheel and PgUp/PgDn', async () => {
    tui.write('\x15'); // Ctrl+U empties the input line
    await enter('/help');
    await tui.waitFor('Ctrl+C logs out and quits');
    tui.wheel('up', 40, 10);
    await tui.waitFor(/^\[\d\d:\d\d\] .*\[-3 more below\]/m);
    tui.write('\x1b[6~'); // PgDn
    await tui.waitForGone('more below');
    tui.write('\x1b[5~'); // PgUp
    await tui.waitFor(/more below\]$/m);
    tui.write('\x1b[6~');
    await tui.waitForGone('more below');
  });

  it('shows the lock-out countdown in place, and works without colour at 80x24', async () => {
    const vader = new PtyTerminal(['client', '127.0.0.1', String(port), '0'], {
      cwd: yodaDir,
      cols: 80,
      rows: 24,
      env: { NO_COLOR: '1' },
    });
    try {
      await vader.waitFor('Username:');
      await vader.type('vader');
      vader.write('\r');
      await vader.waitFor(/Password: +│/);
      // Each refusal clears the field, so the stars going away mark the answer.
      for (let i = 1; i < 3; i++) {
        vader.write('wrong');
        await vader.waitFor('Password: *****');
        vader.write('\r');
        await vader.waitFor(/Password: +│/);
        await vader.waitFor('Invalid Password. Please try again');
      }
      vader.write('wrong');
      await vader.waitFor('Password: *****');
      vader.write('\r');
      // The message wraps inside the 80-column login box.
      await vader.waitFor(
        /Invalid Password\. Your account has been blocked\. Please *│\n *│ try again later/,
      );
      await vader.waitFor(/Blocked: you can try again in \d+s/);
      // No colour codes at all: plain attributes only.
      expect(colourCodes(vader.raw)).toEqual([]);
      vader.write('\x03');
      expect(await vader.exited).toBe(0);
    } finally {
      vader.kill();
    }
  });

  it('creates an account from the login screen when the server allows it', async () => {
    const leia = new PtyTerminal(['client', '127.0.0.1', String(port), '0'], { cwd: yodaDir });
    try {
      await leia.waitFor('Username:');
      await leia.type('Leia');
      leia.write('\r');
      await leia.waitFor(/Password: +│/);
      leia.write('Alderaan-77');
      await leia.waitFor('Password: ***********');
      leia.write('\r');
      await leia.waitFor('User Leia does not exist.');
      await leia.waitFor(/Repeat: +│/);
      leia.write('Alderaan-77');
      await leia.waitFor('Repeat:   ***********');
      leia.write('\r');
      await leia.waitFor('Welcome to TESSENGER, Leia!');
      leia.write('\x03');
      expect(await leia.exited).toBe(0);
    } finally {
      leia.kill();
    }
  });

  it('gives the plain line mode on a terminal with --plain', async () => {
    const plain = new PtyTerminal(['client', '127.0.0.1', String(port), '0', '--plain'], {
      cwd: yodaDir,
    });
    try {
      await plain.waitFor(/^Please login\nUsername:/m);
      expect(plain.term.buffer.active.type).toBe('normal');
      plain.write('\x04');
      expect(await plain.exited).toBe(0);
    } finally {
      plain.kill();
    }
  });

  it('logs out on Ctrl+C and leaves the terminal restored', async () => {
    tui.write('\x03');
    expect(await tui.exited).toBe(0);
    await tui.waitFor('Bye, Yoda!');
    expect(tui.term.buffer.active.type).toBe('normal');
    expect(tui.term.modes.mouseTrackingMode).toBe('none');
    expect(tui.raw.lastIndexOf('\x1b[?25h')).toBeGreaterThan(tui.raw.lastIndexOf('\x1b[?25l'));
  });
});
