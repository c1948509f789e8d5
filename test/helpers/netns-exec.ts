/**
 * Low-level commands for the network-namespace harness (netns.ts): running `ip`/`iptables`,
 * spawning tracked processes inside a namespace, and killing what runs in one.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';

/** What a finished command printed and returned; `code` is -1 when it could not start. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never rejects (a missing binary is code -1). */
export function run(
  file: string,
  args: string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { encoding: 'utf8', timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a command and throws (with its stderr) unless it exits 0. */
export async function must(file: string, args: string[]): Promise<string> {
  const r = await run(file, args);
  if (r.code !== 0) {
    throw new Error(`netns: \`${file} ${args.join(' ')}\` failed (${r.code}): ${r.stderr.trim()}`);
  }
  return r.stdout;
}

/** Options for a process started inside a namespace. */
export interface ExecOptions {
  /** Added to the test process's environment. */
  env?: Record<string, string>;
  cwd?: string;
}

/**
 * Spawns `argv` inside namespace `ns` with piped stdio. `ip netns exec` execs the command, so
 * the child's pid is the command's own; `detached` makes it a process-group leader so its own
 * children (workers, players) die with it.
 */
export function spawnIn(ns: string, argv: string[], options: ExecOptions = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, ...argv], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    detached: true,
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

/** SIGTERM each child's group, SIGKILL what is left after `graceMs`, and wait for the exits. */
export async function stopChildren(children: Iterable<ChildProcess>, graceMs = 2000) {
  const live = [...children].filter((c) => c.exitCode === null && c.signalCode === null);
  for (const c of live) signalGroup(c, 'SIGTERM');
  await Promise.all(
    live.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          // After SIGKILL still wait for 'exit' (until then the pid is an unreaped zombie),
          // but never hang a teardown on it.
          const kill = setTimeout(() => signalGroup(c, 'SIGKILL'), graceMs);
          const giveUp = setTimeout(resolve, graceMs + 5000);
          c.once('exit', () => {
            clearTimeout(kill);
            clearTimeout(giveUp);
            resolve();
          });
        }),
    ),
  );
}

/** SIGKILLs every process still inside `ns` (all of them were started by this harness). */
export function killAllIn(ns: string): void {
  const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
  for (const pid of (r.stdout ?? '').split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Exited meanwhile.
    }
  }
}

/** Kills what runs in each namespace and deletes it; synchronous so an exit hook can use it. */
export function deleteNamespaces(namespaces: Iterable<string>): void {
  for (const ns of namespaces) {
    killAllIn(ns);
    spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  }
}

/** Why the harness cannot run here, or undefined when it can. */
export function netnsUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root (run the tests as root)';
  if (spawnSync('ip', ['-V']).status !== 0)
    return '`ip` (iproute2) is missing: apt-get install -y iproute2';
  const ok = (bin: string) => spawnSync(bin, ['--version']).status === 0;
  if (!ok('iptables') && !ok('iptables-legacy')) {
    return '`iptables` is missing: apt-get install -y iptables';
  }
  return undefined;
}
