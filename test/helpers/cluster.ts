/**
 * A cluster for a test: one real redis-server (AOF, fsync always) and N server nodes run as
 * the real CLI, each in its own folder (credentials, logs, data), all on loopback. Nodes can
 * be killed (`kill -9`) and started again under the same id and folder.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { CliProcess, loginClient, startServerProcess } from './cli-process.js';
import { type RedisHandle, startRedis } from './redis-server.js';
import { makeTempDir, SAMPLE_CREDENTIALS, writeCredentials } from './temp-dir.js';

export interface ClusterNodeProc {
  readonly id: string;
  readonly dir: string;
  proc: CliProcess;
  port: number;
}

export interface TestCluster {
  readonly redis: RedisHandle;
  readonly nodes: ClusterNodeProc[];
  /** Starts (or restarts) node `i` under its id and folder, on a new port. */
  startNode(i: number): Promise<ClusterNodeProc>;
  /** SIGKILL, and waits for the exit. */
  killNode(i: number): Promise<void>;
  /** A plain client signed in on node `i` (its own folder). */
  login(i: number, user: string, extraArgs?: string[]): Promise<CliProcess>;
  /** A client given every node's address, first `first`. */
  loginAny(first: number, user: string, extraArgs?: string[]): Promise<CliProcess>;
  readLog(i: number, name: string): Promise<string>;
  /** The folder a client started by login()/loginAny() runs in (downloads land there). */
  dirOf(proc: CliProcess): string;
  close(): Promise<void>;
}

export const PASSWORDS = SAMPLE_CREDENTIALS;

/**
 * `wrap`: per node index, a command the node runs under (`['faketime', '-f', '+5s']`: its
 * clock 5 s ahead of the others').
 */
export async function startCluster(
  count: number,
  extraArgs: string[] = [],
  wrap: Record<number, string[]> = {},
): Promise<TestCluster> {
  const redis = await startRedis();
  const temps: Array<() => Promise<void>> = [];
  const procs: CliProcess[] = [];
  const nodes: ClusterNodeProc[] = [];
  const dirs = new WeakMap<CliProcess, string>();
  const folder = async (): Promise<string> => {
    const t = await makeTempDir('tessenger-cluster-');
    temps.push(t.cleanup);
    return t.dir;
  };
  const argsOf = (id: string) => [
    '--redis',
    redis.url,
    '--node-id',
    id,
    '--credentials',
    'credentials.txt',
    '--log-dir',
    'logs',
    '--data-dir',
    'data',
    ...extraArgs,
  ];
  const cluster: TestCluster = {
    redis,
    nodes,
    async startNode(i) {
      const known = nodes[i];
      const id = known?.id ?? `n${i + 1}`;
      const dir = known?.dir ?? (await folder());
      if (!known) await writeCredentials(dir);
      const { proc, port } = await startServerProcess(dir, argsOf(id), 3, wrap[i]);
      procs.push(proc);
      const node = { id, dir, proc, port };
      nodes[i] = node;
      return node;
    },
    async killNode(i) {
      const node = nodes[i]!;
      node.proc.kill('SIGKILL');
      await node.proc.exited;
    },
    async login(i, user, extra = []) {
      const dir = await folder();
      const proc = await loginClient(dir, nodes[i]!.port, user, PASSWORDS[user]!, extra, {
        track: (p) => procs.push(p),
      });
      dirs.set(proc, dir);
      return proc;
    },
    async loginAny(first, user, extra = []) {
      const order = [...nodes.slice(first), ...nodes.slice(0, first)];
      const list = order.map((n) => `127.0.0.1:${n.port}`).join(',');
      const dir = await folder();
      const proc = new CliProcess(['client', list, '0', ...extra], { cwd: dir });
      procs.push(proc);
      dirs.set(proc, dir);
      await proc.waitFor('Username: ');
      proc.line(user);
      await proc.waitFor('Password: ');
      proc.line(PASSWORDS[user]!);
      await proc.waitFor('Welcome to TESSENGER!');
      return proc;
    },
    dirOf: (proc) => dirs.get(proc) ?? '',
    readLog: (i, name) =>
      fs.readFile(path.join(nodes[i]!.dir, 'logs', name), 'utf8').catch(() => ''),
    async close() {
      for (const p of procs) p.kill();
      await Promise.all(procs.map((p) => p.exited));
      await redis.close();
      for (const t of temps) await t();
    },
  };
  for (let i = 0; i < count; i++) await cluster.startNode(i);
  return cluster;
}
