/**
 * A full disk on the single SQLite node, with real parts: the server CLI as a process whose
 * data and log folders are on a 4 MiB tmpfs, filled up by a filler file while a client sends
 * 1500 messages. The server must stay up, acknowledge and log exactly what it stored, refuse
 * the rest with STORE_FULL and a text saying why, log the condition once (not per message),
 * and take messages again once the filler is gone. Needs root (mount); skipped otherwise.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { OUTAGE_LOG } from '../../src/server/store-refusal.js';
import { type CliProcess, startServerProcess } from '../helpers/cli-process.js';
import { type ErrorFrame, type OkFrame, TestClient } from '../helpers/server-client.js';
import { SAMPLE_CREDENTIALS as PW, writeCredentials } from '../helpers/temp-dir.js';

const MESSAGES = 1500;
/** Space left beside the filler: room for a few group commits' WAL frames, no more. */
const LEAVE_BYTES = 96 * 1024;
const DISK_FULL_LINE = OUTAGE_LOG['disk-full'];
const RECOVERED_LINE = OUTAGE_LOG.ended;
const NOT_SENT = 'message not sent: the server is out of disk space';

const isRoot = process.getuid?.() === 0;

let dir = '';
let mounted = false;
let server: CliProcess | undefined;
let port = 0;
const clients: TestClient[] = [];

async function login(user: string): Promise<TestClient> {
  const c = await TestClient.connect(port);
  clients.push(c);
  const r = await c.login(user, PW[user]!);
  if (r.type !== 'ok') throw new Error(`login ${user}: ${r.message}`);
  return c;
}

const logFile = (name: string) => path.join(dir, 'logs', name);

async function messageLogLines(): Promise<string[]> {
  const text = await fs.readFile(logFile('messagelog.txt'), 'utf8').catch(() => '');
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  // Numbered 1..n with no gap, no repeat and no torn line.
  expect(lines.map((l) => Number(l.split('; ')[0]))).toEqual(lines.map((_, i) => i + 1));
  return lines;
}

function storedRows(): number {
  const db = new Database(path.join(dir, 'data', 'tessenger.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM direct_messages').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Sends `count` messages at once (pipelined) and returns the replies in order. */
async function burst(from: TestClient, prefix: string, count: number) {
  const replies = Array.from({ length: count }, (_, i) =>
    from.request('msgto', { to: 'obiwan', text: `${prefix}-${i + 1}` }),
  );
  return Promise.all(replies);
}

/** The server's stderr reaches the test after its replies: wait for a line to show. */
async function waitForStderr(line: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!server!.stderr.includes(line) && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 200);
      server!.child.stderr!.once('data', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

const occurrences = (text: string, line: string) => text.split(line).length - 1;

beforeAll(async () => {
  if (!isRoot) return;
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tessenger-diskfull-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]);
  mounted = true;
  await writeCredentials(dir);
  const started = await startServerProcess(dir, [
    '--credentials',
    'credentials.txt',
    '--log-dir',
    'logs',
    '--data-dir',
    'data',
    '--insecure-plain',
    '--verbose',
  ]);
  server = started.proc;
  port = started.port;
}, 30_000);

afterAll(async () => {
  for (const c of clients) c.destroy();
  if (server && server.child.exitCode === null) {
    server.kill();
    await server.exited;
  }
  if (mounted) execFileSync('umount', ['-l', dir]);
  if (dir !== '') await fs.rm(dir, { recursive: true, force: true });
});

describe.skipIf(!isRoot)('the data and log folders on a full 4 MiB tmpfs', () => {
  let yoda: TestClient;
  let acked = 0;

  it('acknowledges and logs only what it stored, and says why it refused the rest', async () => {
    yoda = await login('Yoda');
    await login('obiwan');
    const free = await fs.statfs(dir);
    const room = free.bavail * free.bsize - LEAVE_BYTES;
    await fs.writeFile(path.join(dir, 'filler'), Buffer.alloc(Math.max(0, room)));

    const replies = await burst(yoda, 'full', MESSAGES);
    const ok = replies.filter((r): r is OkFrame => r.type === 'ok');
    const refused = replies.filter((r): r is ErrorFrame => r.type === 'error');
    acked = ok.length;
    const logged = (await messageLogLines()).length;
    console.log(
      `disk full: ${ok.length} of ${MESSAGES} stored, ${refused.length} refused, ${logged} logged`,
    );

    expect(refused.length).toBeGreaterThan(0);
    expect(server!.child.exitCode).toBeNull();
    expect((await yoda.request('ping')).type).toBe('ok');
    for (const r of refused) {
      expect({ code: r.code, message: r.message }).toEqual({
        code: ErrorCode.StoreFull,
        message: NOT_SENT,
      });
    }
    expect(storedRows()).toBe(acked);
    // A stored message whose line met the full disk is acknowledged all the same; its line is
    // kept and written once there is room (the second test), never torn or out of order.
    expect(logged).toBeLessThanOrEqual(acked);
    expect(server!.stderr).not.toContain('handler failed');
    await waitForStderr(DISK_FULL_LINE);
    expect(occurrences(server!.stderr, DISK_FULL_LINE)).toBe(1);
    expect(occurrences(server!.stderr, RECOVERED_LINE)).toBe(0);
  }, 120_000);

  it('takes messages again once space is freed, and logs the recovery once', async () => {
    await fs.rm(path.join(dir, 'filler'));
    const replies = await burst(yoda, 'freed', 20);
    expect(replies.map((r) => r.type)).toEqual(replies.map(() => 'ok'));
    acked += replies.length;
    expect(storedRows()).toBe(acked);
    expect((await messageLogLines()).length).toBe(acked);
    await waitForStderr(RECOVERED_LINE);
    expect(occurrences(server!.stderr, DISK_FULL_LINE)).toBe(1);
    expect(occurrences(server!.stderr, RECOVERED_LINE)).toBe(1);
    expect(server!.stderr).not.toContain('handler failed');
    // The diagnostics file is on the same disk: it lost the lines it could not take (saying
    // so once it could write again), and it kept working.
    const diagnostics = await fs.readFile(logFile('tessenger-server.log'), 'utf8');
    expect(occurrences(diagnostics, RECOVERED_LINE)).toBe(1);
  }, 60_000);
});
