/**
 * The durability promise end to end: clients send many messages and create groups, the
 * server process is killed with SIGKILL in the middle of the traffic and started again on
 * the same folders. Every acknowledged message must then be in /history and in the log files
 * exactly once, numbered without gaps or repeats; groups, memberships and the offline queue
 * must be back.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, loginClient, startServerProcess } from '../helpers/cli-process.js';
import { command, TS } from '../helpers/plain-command.js';
import { makeTempDir, SAMPLE_CREDENTIALS as PW, writeCredentials } from '../helpers/temp-dir.js';

const temps: Array<() => Promise<void>> = [];
const procs: CliProcess[] = [];
let serverDir: string;
const SERVER_ARGS = ['--credentials', 'credentials.txt', '--log-dir', 'logs', '--data-dir', 'data'];
/** Lines each sender has queued on its stdin: far more than get through before the kill. */
const BURST = 400;
/** Acknowledgements Yoda must have seen before the server is killed. */
const KILL_AFTER = 40;

async function folder(): Promise<string> {
  const t = await makeTempDir();
  temps.push(t.cleanup);
  return t.dir;
}

async function login(port: number, user: string): Promise<CliProcess> {
  const proc = await loginClient(await folder(), port, user, PW[user]!);
  procs.push(proc);
  return proc;
}

const readLog = (name: string) => fs.readFile(path.join(serverDir, 'logs', name), 'utf8');

/** Lines of a numbered log; fails unless they are numbered 1..n in order. */
async function numberedLines(name: string): Promise<string[]> {
  const lines = (await readLog(name)).split('\n');
  expect(lines.pop()).toBe('');
  expect(lines.map((l) => Number(l.split('; ')[0]))).toEqual(lines.map((_, i) => i + 1));
  return lines;
}

/** Texts whose sending was acknowledged: the first `count(ack)` of the burst, in order. */
function acknowledged(proc: CliProcess, from: number, ack: RegExp, texts: string[]): string[] {
  const n = (proc.stdout.slice(from).match(ack) ?? []).length;
  return texts.slice(0, n);
}

// At the start of a line: a receipt ("... received your message sent at ...") is no ack.
const ackDirect = new RegExp(`^message sent at ${TS}\\.$`, 'gm');
const ackGroup = /Group chat message sent\./g;
const texts = (prefix: string) => Array.from({ length: BURST }, (_, i) => `${prefix}-${i + 1}`);

let acked: { yoda: string[]; obiwan: string[]; hans: string[] };

beforeAll(async () => {
  serverDir = await folder();
  await writeCredentials(serverDir);
  const first = await startServerProcess(serverDir, SERVER_ARGS);
  procs.push(first.proc);
  const yoda = await login(first.port, 'Yoda');
  const obiwan = await login(first.port, 'obiwan');
  const hans = await login(first.port, 'Hans');
  expect(await command(yoda, '/creategroup jedi obiwan Hans')).toBe('Group chat created jedi');
  await obiwan.waitFor('Yoda added you to group chat jedi.');
  await hans.waitFor('Yoda added you to group chat jedi.');
  expect(await command(obiwan, '/joingroup jedi')).toBe(
    'Joined the group chat: jedi successfully.',
  );
  expect(await command(hans, '/joingroup jedi')).toBe('Joined the group chat: jedi successfully.');
  // vader is known but offline: these wait in the queue through the crash.
  for (const t of ['offline-1', 'offline-2']) {
    expect(await command(yoda, `/msgto vader ${t}`)).toMatch(/^vader is offline: message queued/);
  }

  const from = { yoda: yoda.stdout.length, obiwan: obiwan.stdout.length, hans: hans.stdout.length };
  const lines = {
    yoda: texts('yoda-to-obiwan'),
    obiwan: texts('obiwan-to-hans'),
    hans: texts('hans-to-jedi'),
  };
  // Each client works through its stdin one command at a time, so the acknowledged ones are
  // always the first k of its list.
  yoda.line(lines.yoda.map((t) => `/msgto obiwan ${t}`).join('\n'));
  obiwan.line(lines.obiwan.map((t) => `/msgto Hans ${t}`).join('\n'));
  hans.line(lines.hans.map((t) => `/groupmsg jedi ${t}`).join('\n'));
  const deadline = Date.now() + 60_000;
  while ((yoda.stdout.slice(from.yoda).match(ackDirect) ?? []).length < KILL_AFTER) {
    if (Date.now() > deadline) throw new Error('the burst did not get going');
    await yoda
      .waitFor(ackDirect, { from: yoda.stdout.length - 1, timeoutMs: 10_000 })
      .catch(() => {});
  }
  first.proc.kill('SIGKILL');
  await first.proc.exited;
  for (const c of [yoda, obiwan, hans]) {
    await c.waitFor('Connection to the server was lost.');
    await c.exited;
  }
  acked = {
    yoda: acknowledged(yoda, from.yoda, ackDirect, lines.yoda),
    obiwan: acknowledged(obiwan, from.obiwan, ackDirect, lines.obiwan),
    hans: acknowledged(hans, from.hans, ackGroup, lines.hans),
  };
}, 120_000);

afterAll(async () => {
  for (const p of procs) p.kill();
  for (const cleanup of temps) await cleanup();
});

describe('SIGKILL in the middle of traffic, then a restart on the same folders', () => {
  let port: number;

  beforeAll(async () => {
    const second = await startServerProcess(serverDir, SERVER_ARGS);
    procs.push(second.proc);
    port = second.port;
  });

  it('was killed while every sender was still sending', () => {
    expect(acked.yoda.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(acked.yoda.length).toBeLessThan(BURST);
    expect(acked.obiwan.length).toBeLessThan(BURST);
    expect(acked.hans.length).toBeLessThan(BURST);
  });

  it('has every acknowledged message in messagelog.txt exactly once, numbered 1..n', async () => {
    const lines = await numberedLines('messagelog.txt');
    const logged = lines.map((l) => l.split('; ').slice(2).join('; '));
    for (const t of acked.yoda) expect(logged.filter((l) => l === `obiwan; ${t}`)).toHaveLength(1);
    for (const t of acked.obiwan) expect(logged.filter((l) => l === `Hans; ${t}`)).toHaveLength(1);
    expect(logged.slice(0, 2)).toEqual(['vader; offline-1', 'vader; offline-2']);
  });

  it('has every acknowledged group message in the group log exactly once, numbered 1..n', async () => {
    const lines = await numberedLines('jedi_messagelog.txt');
    const logged = lines.map((l) => l.split('; ').slice(2).join('; '));
    for (const t of acked.hans) expect(logged.filter((l) => l === `Hans; ${t}`)).toHaveLength(1);
  });

  it('serves every acknowledged message from /history and keeps the group', async () => {
    const yoda = await login(port, 'Yoda');
    const history = await command(yoda, `/history obiwan ${BURST}`);
    for (const t of acked.yoda) {
      expect(history.split('\n').filter((l) => l.endsWith(`, Yoda: ${t}`))).toHaveLength(1);
    }
    expect(await command(yoda, '/groups')).toBe('jedi: joined, 3 members');
    expect(await command(yoda, '/members jedi')).toBe(
      'Members of jedi:\nYoda, joined, online\nobiwan, joined, offline\nHans, joined, offline',
    );
    const group = await command(yoda, `/history jedi ${BURST}`);
    for (const t of acked.hans) {
      expect(group.split('\n').filter((l) => l.endsWith(`, jedi, Hans: ${t}`))).toHaveLength(1);
    }
  });

  it('continues the numbering after the crash without a gap', async () => {
    const before = (await numberedLines('messagelog.txt')).length;
    const hans = await login(port, 'Hans');
    await command(hans, '/msgto Yoda after the crash');
    const lines = await numberedLines('messagelog.txt');
    expect(lines).toHaveLength(before + 1);
    expect(lines.at(-1)).toMatch(new RegExp(`^${before + 1}; ${TS}; Yoda; after the crash$`));
  });

  it('still delivers the offline queue at the next login', async () => {
    const vader = await login(port, 'vader');
    await vader.waitFor(new RegExp(`${TS}, Yoda: offline-1\\n[^]*${TS}, Yoda: offline-2\\n`));
  });
});
