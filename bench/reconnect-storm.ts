/**
 * Reconnect storm: N client cores (ChatClient, each with its own Reconnector and its default
 * back-off) signed in to the real CLI server (own process, data folder, plain TCP) with
 * scrypt-hashed passwords; the server is killed (SIGKILL) and started again on the same port
 * and folder, and the bench times how long until every client is signed in again. Rows:
 * `ticket` (reconnect sends its resume ticket) and `password` (the same clients with their
 * tickets dropped first, so each reconnect is a scrypt login, as before tickets).
 *
 *   npm run bench:storm -- --clients 1000 [--mode ticket|password|both] [--rounds 3]
 *
 * "Chatting" is timed too: once all are back, each client sends one direct message to the next
 * one, and the row's second figure is the kill-to-last-delivery time. Rounds are interleaved
 * (ticket, password, ticket, ...); medians are printed. A password round's logins hand out
 * fresh tickets (the client keeps the one of its fallback login), so the next ticket round
 * has them.
 *
 * Every account has the same password and one hash line (the server's cost per check is the
 * same as with distinct salts; hashing 1000 salts would only slow the setup).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ChatClient } from '../src/client/chat-client.js';
import { parseCommand } from '../src/client/commands/index.js';
import { Reconnector } from '../src/client/reconnect.js';
import { hashPassword } from '../src/server/password-hash.js';
import { createTransferEngine } from '../src/transfer/engine.js';
import type { TransferEngine } from '../src/transfer/types.js';
import { silentLogger } from '../src/util/logger.js';
import { freePort, waitForPort } from './load/spawn-limited.js';

const { values: flags } = parseArgs({
  args: process.argv.slice(3),
  options: {
    clients: { type: 'string', default: '1000' },
    mode: { type: 'string', default: 'both' },
    'login-concurrency': { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
  },
});
const count = Number(flags.clients);
const modes = flags.mode === 'both' ? ['ticket', 'password'] : [flags.mode as string];
const PASSWORD = 'storm-pw';
const MAIN = path.resolve('dist/cli/main.js');

const dir = await mkdtemp(path.join(os.tmpdir(), 'tessenger-storm-'));
const credentials = path.join(dir, 'credentials.txt');
const stored = hashPassword(PASSWORD);
const name = (i: number) => `u${String(i).padStart(5, '0')}`;
await writeFile(
  credentials,
  Array.from({ length: count }, (_, i) => `${name(i)} ${stored}\n`).join(''),
);
const port = await freePort();
const loadAtStart = os.loadavg()[0]!;

function startServer(): ChildProcess {
  // Raise the open-file limit for the server too (1000 sockets and more).
  const child = spawn(
    'bash',
    [
      '-c',
      'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"',
      'storm',
      process.execPath,
      MAIN,
      'server',
      String(port),
      '3',
      '--host',
      '127.0.0.1',
      '--credentials',
      credentials,
      '--log-dir',
      path.join(dir, 'logs'),
      '--data-dir',
      path.join(dir, 'data'),
      '--idle-timeout',
      '0',
      '--insecure-plain',
      '--max-connections-per-address',
      String(count * 2 + 100),
      '--max-failed-logins-per-minute',
      '100000',
      '--login-timeout',
      '0',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

let server = startServer();
await waitForPort(port, 15_000);

const engines: TransferEngine[] = [];
const clients: ChatClient[] = [];
const reconnectors: Reconnector[] = [];
const started = Date.now();
let next = 0;
const concurrency = Number(flags['login-concurrency']);
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++;
      const engine = await createTransferEngine({ port: 0, host: '127.0.0.1' });
      engines.push(engine);
      const client = await ChatClient.connect({
        host: '127.0.0.1',
        port,
        engine,
        downloadDir: dir,
        logger: silentLogger,
      });
      await client.login(name(i), PASSWORD);
      clients.push(client);
    }
  }),
);
console.log(`${count} clients signed in with the password in ${(Date.now() - started) / 1000} s`);
for (const client of clients) reconnectors.push(new Reconnector(client));

const rounds = Number(flags.rounds);
const results = new Map<string, { back: number[]; chatting: number[]; attempts: number[] }>();
const rows: string[] = [];
for (let round = 0; round < rounds; round++)
  for (const mode of modes) {
    if (mode === 'password') {
      // Before tickets: each reconnect is a password login (scrypt on the server).
      for (const client of clients) (client as unknown as { ticket: string | null }).ticket = null;
    }
    let online = 0;
    let gaveUp = 0;
    let attempts = 0;
    const done = new Promise<void>((resolve) => {
      for (const r of reconnectors) {
        const on = (s: { state: string }) => {
          if (s.state === 'connecting') attempts++;
          if (s.state === 'online' || s.state === 'gave-up') {
            if (s.state === 'online') online++;
            else gaveUp++;
            r.off('state', on);
            if (online + gaveUp === count) resolve();
          }
        };
        r.on('state', on);
      }
    });
    let received = 0;
    const delivered = new Promise<void>((resolve) => {
      for (const c of clients) {
        c.once('message', () => {
          if (++received === count) resolve();
        });
      }
    });
    const killedAt = Date.now();
    await kill(server);
    server = startServer();
    await waitForPort(port, 15_000);
    const upAt = Date.now();
    await done;
    const allAt = Date.now();
    // And chatting: every client messages the next one; done when every message has arrived.
    await Promise.all(
      clients.map((c, i) => {
        const parsed = parseCommand(
          `/msgto ${clients[(i + 1) % count]!.user} back after round ${round}`,
        );
        if (!parsed.ok) throw new Error(parsed.error);
        return c.run(parsed.command);
      }),
    );
    await delivered;
    const chatAt = Date.now();
    const r = results.get(mode) ?? { back: [], chatting: [], attempts: [] };
    r.back.push((allAt - killedAt) / 1000);
    r.chatting.push((chatAt - killedAt) / 1000);
    r.attempts.push(attempts);
    results.set(mode, r);
    const row =
      `round ${round + 1} ${mode.padEnd(8)} ${count} clients: all signed in again ${((allAt - killedAt) / 1000).toFixed(2)} s ` +
      `after the kill (server listening again after ${((upAt - killedAt) / 1000).toFixed(2)} s), ` +
      `all messages delivered ${((chatAt - killedAt) / 1000).toFixed(2)} s after it, ${attempts} attempts, ${gaveUp} gave up`;
    console.log(row);
    rows.push(row);
  }

for (const r of reconnectors) r.stop();
for (const c of clients) await c.close().catch(() => undefined);
for (const e of engines) await e.close().catch(() => undefined);
await kill(server);
await rm(dir, { recursive: true, force: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `\nReconnect storm, ${count} clients, ${rounds} rounds (${os.cpus().length} cores, load ${loadAtStart.toFixed(2)} at the start, ${os.loadavg()[0]!.toFixed(2)} at the end):`,
);
for (const row of rows) console.log(row);
const ticket = results.get('ticket');
const password = results.get('password');
for (const [mode, r] of results) {
  console.log(
    `median ${mode.padEnd(8)}: signed in again ${median(r.back).toFixed(2)} s, chatting ${median(r.chatting).toFixed(2)} s, ${median(r.attempts)} attempts`,
  );
}
if (ticket && password) {
  console.log(
    `ticket/password: ${(median(ticket.back) / median(password.back)).toFixed(3)}x signed in, ${(median(ticket.chatting) / median(password.chatting)).toFixed(3)}x chatting`,
  );
}
