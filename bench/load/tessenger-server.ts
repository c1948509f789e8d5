/**
 * Tessenger's server for the chat bench: the real CLI (`node dist/cli/main.js server`) in its
 * own process, with a durable data folder (SQLite, synchronous commits) and log folder in the
 * run's temporary directory. Its console lines (one per message, as SPEC.md asks) go to a
 * file there: they are written, as in production, just not to a terminal.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunningServer } from '../irc/ngircd.js';
import { spawnLimited, stopProcess } from './spawn-limited.js';

const MAIN = path.resolve('dist/cli/main.js');

/**
 * The Node flags the `tessenger` bin runs with: those of its shebang line
 * (`#!/usr/bin/env -S node FLAGS`), so the bench measures the server as users start it.
 */
export function binNodeFlags(main = MAIN): string[] {
  const first = readFileSync(main, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\/usr\/bin\/env -S node((?: +-[^ ]+)*) *$/.exec(first);
  return match?.[1] ? match[1].trim().split(/ +/) : [];
}

/** True when the server has TLS by default and a `--insecure-plain` switch to turn it off. */
function hasPlainSwitch(): boolean {
  const help = execFileSync(process.execPath, [MAIN, 'server', '--help'], { encoding: 'utf8' });
  return help.includes('--insecure-plain');
}

export interface TessengerOptions {
  dir: string;
  credentials: string;
  /** Folder for a V8 CPU profile (node --cpu-prof), written when the server exits. */
  cpuProfDir?: string;
  /** Join a cluster on this Redis under this node id (`--redis`, `--node-id`). */
  cluster?: { url: string; nodeId: string };
}

export async function startTessenger(
  options: TessengerOptions,
): Promise<RunningServer & { plain: boolean }> {
  const plain = hasPlainSwitch();
  const consoleFile = path.join(options.dir, 'server-console.txt');
  const out = openSync(consoleFile, 'w');
  const node = [
    ...binNodeFlags(),
    ...(options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : []),
  ];
  const args = [
    ...node,
    MAIN,
    'server',
    '0',
    '3',
    '--host',
    '127.0.0.1',
    '--credentials',
    options.credentials,
    '--log-dir',
    path.join(options.dir, 'logs'),
    '--data-dir',
    path.join(options.dir, 'data'),
    '--idle-timeout',
    '0',
    // Both servers are compared on plain TCP: ngIRCd is not given TLS either.
    ...(plain ? ['--insecure-plain'] : []),
    ...(options.cluster
      ? ['--redis', options.cluster.url, '--node-id', options.cluster.nodeId]
      : []),
  ];
  const child: ChildProcess = spawnLimited(process.execPath, args, {
    stdio: ['ignore', out, 'inherit'],
  });
  const port = await waitForListening(consoleFile, child, 15_000);
  return {
    name: 'Tessenger',
    pid: child.pid!,
    port,
    plain,
    stop: () => stopProcess(child, 10_000),
  };
}

async function waitForListening(
  file: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Tessenger server exited with ${child.exitCode}`);
    const match = /listening on [^\s:]+:(\d+)/.exec(readFileSync(file, 'utf8'));
    if (match) return Number(match[1]);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('Tessenger server did not start listening');
}
