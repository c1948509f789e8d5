/**
 * A real redis-server for a test: started on a free loopback port in a temp folder, with the
 * append-only file fsynced on every write (`appendonly yes`, `appendfsync always`), so what the
 * cluster acknowledged survives a `kill -9` of Redis. `kill()` is that crash; `start()` again
 * brings the same data back on the same port.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { makeTempDir } from './temp-dir.js';

export interface RedisHandle {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** The running process's pid (changes across restarts). */
  readonly pid: number;
  /** Starts it again on the same port and folder (after kill or stop). */
  start(): Promise<void>;
  /** SIGKILL, no shutdown save: a crash. */
  kill(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

/** A port the kernel just handed out on 127.0.0.1 and took back. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<RedisHandle> {
  const temp = await makeTempDir('tessenger-redis-');
  const port = await freePort();
  let child: ChildProcess | null = null;
  const launch = async (): Promise<void> => {
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        temp.dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--protected-mode',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = proc;
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const spawned = new Promise<void>((resolve, reject) => {
      proc.once('error', (err) => reject(new Error(`redis-server did not start: ${err.message}`)));
      proc.once('spawn', () => resolve());
    });
    await spawned;
    await waitForPort(port, 10_000, () => stderr);
  };
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    await exited;
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir: temp.dir,
    get pid() {
      return child?.pid ?? -1;
    },
    start: launch,
    kill: () => stop('SIGKILL'),
    close: async () => {
      await stop('SIGTERM');
      await temp.cleanup();
    },
  };
}

async function waitForPort(port: number, ms: number, log: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.write('PING\r\n');
        s.once('data', (d) => {
          s.destroy();
          resolve(d.toString().startsWith('+PONG'));
        });
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server not answering on ${port}: ${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
