/**
 * scp over loopback to a throwaway sshd: what a user would otherwise type. The bench starts
 * Debian's sshd (openssh-server) itself on a free 127.0.0.1 port, with a host key, a user key
 * and a config in a temporary folder, and stops it by pid. Nothing outside that folder is
 * touched except /run/sshd, sshd's privilege separation directory, created if missing.
 *
 * scp runs with `-F /dev/null` so the user's ~/.ssh/config cannot change the figure, and with
 * OpenSSH's defaults otherwise (9.x copies over the SFTP protocol).
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const SSHD = '/usr/sbin/sshd';

/** A running sshd and the key that logs in to it. */
export interface Sshd {
  port: number;
  /** Folder the copies land in (inside the temp folder). */
  inbox: string;
  /** Copies `file` to `dest` (a name in the inbox) with `cipher`; resolves with the ms taken. */
  copy(file: string, dest: string, cipher: string): Promise<number>;
  /** Stops sshd by pid and removes the temp folder. */
  stop(): Promise<void>;
}

/** Why the scp rows cannot run here, or undefined. */
export async function sshUnavailableReason(): Promise<string | undefined> {
  for (const bin of [SSHD, '/usr/bin/scp', '/usr/bin/ssh-keygen']) {
    try {
      await fs.access(bin);
    } catch {
      return `${bin} is missing: apt-get install -y openssh-server openssh-client`;
    }
  }
  return undefined;
}

async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

export async function startSshd(): Promise<Sshd> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tessenger-bench-sshd-'));
  const inbox = path.join(dir, 'inbox');
  await fs.mkdir(inbox);
  await fs.mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = path.join(dir, 'host_ed25519');
  const userKey = path.join(dir, 'user_ed25519');
  for (const key of [hostKey, userKey]) {
    await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bench', '-f', key]);
  }
  await fs.copyFile(`${userKey}.pub`, path.join(dir, 'authorized_keys'));
  const port = await freeLoopbackPort();
  const config = path.join(dir, 'sshd_config');
  await fs.writeFile(
    config,
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'Subsystem sftp /usr/lib/openssh/sftp-server',
      '',
    ].join('\n'),
  );
  const sshd = spawn(SSHD, ['-f', config, '-D', '-e'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exited = new Promise<void>((r) => sshd.once('exit', () => r()));
  const stop = async () => {
    if (sshd.exitCode === null && sshd.signalCode === null) {
      process.kill(sshd.pid!, 'SIGTERM');
      await exited;
    }
    await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sshd did not start: ${log}`)), 10_000);
      sshd.stderr!.setEncoding('utf8').on('data', (d: string) => {
        log = (log + d).slice(-4000);
        if (log.includes('Server listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      sshd.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sshd exited (${code}): ${log}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const copy = async (file: string, dest: string, cipher: string): Promise<number> => {
    const start = performance.now();
    await exec('scp', [
      ...['-F', '/dev/null', '-q', '-c', cipher, '-i', userKey, '-P', String(port)],
      ...['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null'],
      ...['-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'LogLevel=ERROR'],
      ...[file, `root@127.0.0.1:${path.join(inbox, dest)}`],
    ]);
    return performance.now() - start;
  };
  return { port, inbox, copy, stop };
}
