/**
 * Runs the real `tessenger` CLI (the built dist/) as a child process with pipes, and lets a
 * test wait for what it prints. No fixed sleeps: every wait is on output or exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../dist/cli/main.js',
);

/** A stand-in video player (node script) that copies its stdin to the file named by its argument. */
export const FAKE_PLAYER = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  'transfer-fake-player.mjs',
);

export class CliProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private listeners: Array<() => void> = [];

  /**
   * `netns`: run inside that network namespace (test/helpers/netns.ts, needs root). `cli` and
   * `nodeFlags`: for callers compiled elsewhere (bench/), which name the built CLI themselves
   * and run it with the bin's shebang flags.
   */
  constructor(
    args: string[],
    options: {
      cwd: string;
      env?: NodeJS.ProcessEnv;
      netns?: string;
      cli?: string;
      nodeFlags?: string[];
      /** A command the process runs under, e.g. `faketime -f +5s` for a clock 5 s ahead. */
      wrap?: string[];
    },
  ) {
    const argv = [process.execPath, ...(options.nodeFlags ?? []), options.cli ?? CLI, ...args];
    if (options.wrap) argv.unshift(...options.wrap);
    if (options.netns) argv.unshift('ip', 'netns', 'exec', options.netns);
    this.child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: {
        ...process.env,
        // Certificates are pinned per test folder, never in the user's real config.
        TESSENGER_CONFIG_DIR: path.join(options.cwd, '.tessenger-config'),
        ...options.env,
        FORCE_COLOR: '0',
        NO_COLOR: '1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
      this.notify();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
      this.notify();
    });
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        this.notify();
        resolve(code);
      }),
    );
  }

  private notify(): void {
    for (const l of this.listeners.splice(0)) l();
  }

  /** Waits until stdout (from `from` on) matches; returns the match. */
  async waitFor(pattern: RegExp | string, options: { from?: number; timeoutMs?: number } = {}) {
    const from = options.from ?? 0;
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      const text = this.stdout.slice(from);
      const match =
        typeof pattern === 'string' ? text.includes(pattern) && [pattern] : text.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${String(pattern)}\n--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.listeners.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Counts occurrences of a line so far. */
  count(text: string): number {
    return this.stdout.split(text).length - 1;
  }

  /** Writes one line to stdin. */
  line(text: string): void {
    this.child.stdin!.write(`${text}\n`);
  }

  /** Closes stdin (EOF). */
  end(): void {
    this.child.stdin!.end();
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }
}

/** Starts a server CLI on a free port and resolves once it listens. */
export async function startServerProcess(
  cwd: string,
  args: string[] = [],
  attempts = 3,
  wrap?: string[],
): Promise<{ proc: CliProcess; port: number }> {
  const proc = new CliProcess(['server', '0', String(attempts), '--host', '127.0.0.1', ...args], {
    cwd,
    ...(wrap ? { wrap } : {}),
  });
  const m = await proc.waitFor(/listening on 127\.0\.0\.1:(\d+)/);
  return { proc, port: Number(m[1]) };
}

/**
 * Starts a client and logs in; resolves once the welcome text is shown. `host` is the
 * server's address (127.0.0.1), `netns` a namespace to run in, `track` sees the process as
 * soon as it starts (so a test can kill it even when the login fails).
 */
export async function loginClient(
  cwd: string,
  port: number,
  username: string,
  password: string,
  extraArgs: string[] = [],
  where: { host?: string; netns?: string; track?: (proc: CliProcess) => void } = {},
): Promise<CliProcess> {
  const args = ['client', where.host ?? '127.0.0.1', String(port), '0', ...extraArgs];
  const proc = new CliProcess(args, { cwd, ...(where.netns ? { netns: where.netns } : {}) });
  where.track?.(proc);
  await proc.waitFor('Username: ');
  proc.line(username);
  await proc.waitFor('Password: ');
  proc.line(password);
  await proc.waitFor('Welcome to TESSENGER!');
  return proc;
}
