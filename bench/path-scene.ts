/**
 * One "scene" of `bench:path`: a namespace internet (test/helpers/netns.ts) with the real
 * server in its server namespace and real plain-mode CLI clients in the users' homes, and one
 * `/p2pvideo` between two of them, timed from what the presenter prints and checked by
 * SHA-256 at the audience. The server's CPU is read from /proc around each transfer.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { CliProcess } from '../test/helpers/cli-process.js';
import {
  buildInternet,
  type Internet,
  type NatKind,
  type NetnsHost,
} from '../test/helpers/netns.js';
import { makeTempDir, SAMPLE_CREDENTIALS, writeCredentials } from '../test/helpers/temp-dir.js';
import { cpuSeconds } from './load/proc-stats.js';
import { binNodeFlags } from './load/tessenger-server.js';

export const PORT = 5000;
const CLI = path.resolve('dist/cli/main.js');
const NODE_FLAGS = binNodeFlags(CLI);

/** A logged-in client: its process and its folder (the download folder too). */
export interface Peer {
  name: string;
  /** Index of the user (home) it runs in. */
  user: number;
  proc: CliProcess;
  dir: string;
}

export interface Scene {
  net: Internet;
  server: CliProcess;
  serverPid: number;
  serverDir: string;
  peers: Map<string, Peer>;
  close(): Promise<void>;
}

/** Who logs in where: user index in the internet, and extra client flags. */
export interface Login {
  name: string;
  user: number;
  flags: string[];
}

const cliOptions = (cwd: string, netns: string) => ({
  cwd,
  netns,
  cli: CLI,
  nodeFlags: NODE_FLAGS,
});

/** Builds the internet (two homes of `nat`), starts the server and logs the clients in. */
export async function startScene(
  nat: NatKind,
  wan: { delayMs: number; loss: number },
  logins: Login[],
): Promise<Scene> {
  const temps: Array<() => Promise<void>> = [];
  const folder = async () => {
    const t = await makeTempDir('tessenger-bench-path-');
    temps.push(t.cleanup);
    return t.dir;
  };
  const net = await buildInternet({ users: [{ nat }, { nat }], wanImpairment: wan });
  const procs: CliProcess[] = [];
  const close = async () => {
    // CliProcess spawns outside the harness's tracking; destroy() would only SIGKILL them.
    for (const p of procs) p.kill('SIGTERM');
    await Promise.race([
      Promise.all(procs.map((p) => p.exited)),
      new Promise((r) => setTimeout(r, 3000)),
    ]);
    await net.destroy();
    for (const cleanup of temps) await cleanup();
  };
  try {
    const serverDir = await folder();
    await writeCredentials(serverDir);
    const args = ['server', String(PORT), '3', '--host', net.server.addr, '--insecure-plain'];
    const files = ['--credentials', 'credentials.txt', '--log-dir', 'logs', '--data-dir', 'data'];
    const server = new CliProcess([...args, ...files], cliOptions(serverDir, net.server.ns));
    procs.push(server);
    await server.waitFor(`listening on ${net.server.addr}:${PORT}`);
    const serverPid = server.child.pid!;
    // `ip netns exec` execs its command, so the child's pid must be node's own.
    const cmdline = readFileSync(`/proc/${serverPid}/cmdline`, 'utf8');
    if (!cmdline.includes(CLI)) throw new Error(`pid ${serverPid} is not the server: ${cmdline}`);
    const peers = new Map<string, Peer>();
    for (const login of logins) {
      const dir = await folder();
      const host = net.users[login.user]!;
      const flags = [...login.flags, '--plain', '--insecure-plain'];
      const argv = ['client', net.server.addr, String(PORT), '0', ...flags];
      const proc = new CliProcess(argv, cliOptions(dir, host.ns));
      procs.push(proc);
      await proc.waitFor('Username: ');
      proc.line(login.name);
      await proc.waitFor('Password: ');
      proc.line(SAMPLE_CREDENTIALS[login.name]!);
      await proc.waitFor('Welcome to TESSENGER!');
      peers.set(login.name, { name: login.name, user: login.user, proc, dir });
    }
    return { net, server, serverPid, serverDir, peers, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** One `/p2pvideo`, as the presenter and the server saw it. */
export interface PathRun {
  /** The presenter's path line, e.g. `Path to obiwan: direct (NAT punched), found in 0.12 s`. */
  pathLine: string;
  route: 'direct' | 'punched' | 'relayed';
  /** The product's own path-finding time (`found in` / `after`), seconds. */
  foundS: number;
  /** From typing the command to the path line (offer, accept, gathering, punching), seconds. */
  toPathS: number;
  /** Bytes / (uploaded - path line): the data phase only. MB/s. */
  goodput: number;
  /** Bytes / (uploaded - command). MB/s. */
  total: number;
  serverCpuS: number;
  /** UDP datagrams the kernel dropped for a full receive buffer (RcvbufErrors) meanwhile. */
  rcvbufDrops: { server: number; audience: number };
}

/** The namespace's UDP RcvbufErrors counter (/proc/net/snmp is per network namespace). */
async function rcvbufErrors(host: NetnsHost): Promise<number> {
  const { stdout } = await host.run(['cat', '/proc/net/snmp']);
  const [names, values] = stdout.split('\n').filter((l) => l.startsWith('Udp:'));
  const i = names?.split(/\s+/).indexOf('RcvbufErrors') ?? -1;
  return i < 0 ? Number.NaN : Number(values?.split(/\s+/)[i]);
}

const PATH_LINE =
  /(Path to \S+: ([^,\n]+)(?:, found in ([\d.]+) s)?(?: \(\S+\))?|no direct path to \S+ after ([\d.]+) s: relaying through the server)\n/;

function routeOf(m: ArrayLike<string | undefined>): PathRun['route'] {
  if (m[4] !== undefined || m[2]!.startsWith('relayed')) return 'relayed';
  return m[2] === 'direct (NAT punched)' ? 'punched' : 'direct';
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The server's diagnostic `relay closed` lines so far (JSON, one per relayed transfer). */
async function relayClosedLines(scene: Scene): Promise<Array<Record<string, unknown>>> {
  const file = path.join(scene.serverDir, 'logs', 'tessenger-server.log');
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.includes('"relay closed"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Sends `src` (hard-linked under a fresh `name`) from `from` to `to` and checks it arrived. */
export async function p2pvideo(
  scene: Scene,
  from: string,
  to: string,
  src: { file: string; sha256: string; size: number },
  name: string,
): Promise<PathRun> {
  const a = scene.peers.get(from)!;
  const b = scene.peers.get(to)!;
  await fs.link(src.file, path.join(a.dir, name));
  const aFrom = a.proc.stdout.length;
  const bFrom = b.proc.stdout.length;
  const audienceHost = scene.net.users[b.user]!;
  const drops0 = [await rcvbufErrors(scene.net.server), await rcvbufErrors(audienceHost)];
  const cpu0 = cpuSeconds(scene.serverPid);
  const t0 = performance.now();
  a.proc.line(`/p2pvideo ${to} ${name}`);
  const m = await a.proc.waitFor(PATH_LINE, { from: aFrom, timeoutMs: 60_000 });
  const tPath = performance.now();
  const end = new RegExp(`${name} has been uploaded|Transfer of ${name} to \\S+ failed[^\\n]*`);
  const done = await a.proc.waitFor(end, { from: aFrom, timeoutMs: 600_000 });
  const tDone = performance.now();
  if (!done[0]!.endsWith('uploaded')) throw new Error(`${from}: ${done[0]}`);
  await b.proc.waitFor(`Received ${name} from ${from}`, { from: bFrom, timeoutMs: 60_000 });
  const cpu1 = cpuSeconds(scene.serverPid);
  const drops1 = [await rcvbufErrors(scene.net.server), await rcvbufErrors(audienceHost)];
  const saved = path.join(b.dir, `${from}_${name}`);
  const got = await sha256File(saved);
  if (got !== src.sha256) {
    throw new Error(`${name}: ${to} saved SHA-256 ${got}, ${from} sent ${src.sha256}`);
  }
  await fs.rm(saved);
  await fs.rm(path.join(a.dir, name));
  return {
    pathLine: m[1]!,
    route: routeOf(m),
    foundS: Number(m[3] ?? m[4] ?? Number.NaN),
    toPathS: (tPath - t0) / 1000,
    goodput: src.size / (tDone - tPath) / 1000,
    total: src.size / (tDone - t0) / 1000,
    serverCpuS: cpu1 - cpu0,
    rcvbufDrops: { server: drops1[0]! - drops0[0]!, audience: drops1[1]! - drops0[1]! },
  };
}

/** Relay byte counts the server logs when it closes an allocation. */
export interface RelayClosed {
  from: string;
  bytesToAudience: number;
  bytesToPresenter: number;
  datagrams: number;
}

/**
 * Waits for `expected` `relay closed` lines. The server hears of no transfer's end: it closes
 * an allocation 30 s after its last datagram (RELAY_IDLE_MS), so the bench collects them once,
 * after the last round, instead of waiting half a minute after every relayed transfer.
 */
export async function relayClosed(scene: Scene, expected: number): Promise<RelayClosed[]> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const lines = await relayClosedLines(scene);
    if (lines.length >= expected) {
      return lines.map((l) => ({
        from: String(l.from),
        bytesToAudience: Number(l.bytesToAudience),
        bytesToPresenter: Number(l.bytesToPresenter),
        datagrams: Number(l.datagrams),
      }));
    }
    if (Date.now() > deadline) {
      throw new Error(`the server logged ${lines.length} \`relay closed\` lines, not ${expected}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
