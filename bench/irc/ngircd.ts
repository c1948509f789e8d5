/**
 * ngIRCd, the C baseline: a minimal configuration in the run's temporary folder, started in
 * the foreground on a free loopback port and stopped by pid. Nothing is installed here; when
 * the binary is missing the bench says how to install it and measures Tessenger alone.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort, spawnLimited, stopProcess, waitForPort } from '../load/spawn-limited.js';

export const NGIRCD_MISSING = 'ngircd not found: apt-get install -y ngircd';

/** Path of the ngircd binary, or null. */
export function findNgircd(): string | null {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin'])) {
    const candidate = path.join(dir, 'ngircd');
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * Limits lifted so the generator is not throttled or refused: MaxPenaltyTime = 0 turns off the
 * per-command penalty seconds (ngIRCd 26 otherwise delays a client that sends more than 3
 * commands per loop or 256 bytes per second); connections per IP, joins and nick length are
 * unlimited or long enough; PING timeouts far beyond a run. No DNS, ident or PAM look-ups.
 */
export function ngircdConfig(port: number, dir: string): string {
  return `[Global]
  Name = bench.irc
  Info = Tessenger chat bench baseline
  Listen = 127.0.0.1
  Ports = ${port}
  MotdPhrase = bench
  PidFile = ${path.join(dir, 'ngircd.pid')}
[Limits]
  MaxConnections = 0
  MaxConnectionsIP = 0
  MaxJoins = 0
  MaxNickLength = 30
  MaxListSize = 1000
  MaxPenaltyTime = 0
  PingTimeout = 3600
  PongTimeout = 3600
[Options]
  DNS = no
  Ident = no
  PAM = no
`;
}

export interface RunningServer {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

export async function startNgircd(binary: string, dir: string): Promise<RunningServer> {
  const port = await freePort();
  const conf = path.join(dir, 'ngircd.conf');
  await writeFile(conf, ngircdConfig(port, dir));
  // -n: stay in the foreground (the pid is ngIRCd's own); -f: our configuration only.
  const child: ChildProcess = spawnLimited(binary, ['-n', '-f', conf], { stdio: 'ignore' });
  await waitForPort(port, 10_000);
  return { name: 'ngIRCd', pid: child.pid!, port, stop: () => stopProcess(child) };
}
