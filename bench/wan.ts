/**
 * Tessenger against TLS-over-TCP across a wide-area path: two public hosts of the netns
 * "internet" (test/helpers/netns.ts) whose traffic crosses the wan namespace, with 2 x 20 ms
 * of delay (the TUN delay router) and the kernel's random loss on the wide hop. Each side is
 * its own process in its own namespace (bench/wan-peer.ts), so nothing short-cuts the path.
 * One internet per loss rate, all built first, so the rounds can interleave across them.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildInternet, type Internet, type UserHost } from '../test/helpers/netns.js';
import { stopChildren } from '../test/helpers/netns-exec.js';
import type { Sample } from './baselines.js';
import { createInbox } from './inbox.js';
import { interleaved } from './rounds.js';
import type { TlsFiles } from './tls-stream.js';
import type { SourceFile } from './tools.js';

const PEER = fileURLToPath(new URL('./wan-peer.js', import.meta.url));
/** One-way delay per crossing of the wan: 40 ms round trip between the two users. */
export const WAN_DELAY_MS = 20;

export interface WanOptions {
  losses: number[];
  /** The file for the loss-free path, and the smaller one for lossy paths. */
  big: SourceFile & { bytes: number };
  small: SourceFile & { bytes: number };
  runs: number;
  capMs: number;
  tls: TlsFiles;
}

export interface WanRow {
  loss: number;
  bytes: number;
  tessenger: Sample;
  /** One TLS sample per TCP congestion control, in the order of `tcpCongestionControls()`. */
  tls: Sample[];
}

const sysctlFile = (name: string) => `/proc/sys/net/ipv4/${name}`;
const readSysctl = async (name: string) => (await fs.readFile(sysctlFile(name), 'utf8')).trim();

/**
 * TCP congestion controls the TLS rows run with: Linux's default, loss-based cubic (what
 * the goal assumes), and this machine's default if it is another one (e.g. bbr,
 * which shrugs off random loss). Set per run in the sender's namespace only.
 */
export async function tcpCongestionControls(): Promise<string[]> {
  const available = (await readSysctl('tcp_available_congestion_control')).split(/\s+/);
  const current = await readSysctl('tcp_congestion_control');
  return [...new Set(['cubic', current])].filter((cc) => available.includes(cc));
}

/**
 * A namespace other than the root one may only pick an algorithm the root namespace lists in
 * tcp_allowed_congestion_control (the kernel answers EPERM otherwise). Adds the missing ones
 * there for the wan rounds (nothing's default changes) and returns the undo.
 */
async function allowCongestionControls(ccs: string[]): Promise<() => Promise<void>> {
  const before = await readSysctl('tcp_allowed_congestion_control');
  const missing = ccs.filter((cc) => !before.split(/\s+/).includes(cc));
  if (missing.length === 0) return async () => {};
  const file = sysctlFile('tcp_allowed_congestion_control');
  await fs.writeFile(file, [before, ...missing].join(' '));
  return () => fs.writeFile(file, before);
}

interface Peer {
  child: ChildProcess;
  next<T>(): Promise<T>;
  send(order: unknown): void;
}

function startPeer(host: UserHost, args: string[]): Peer {
  const child = host.exec([process.execPath, PEER, ...args]);
  const inbox = createInbox();
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  readline.createInterface({ input: child.stdout! }).on('line', (l) => inbox.push(JSON.parse(l)));
  child.once('exit', (code) =>
    inbox.fail(new Error(`wan peer ${args[0]} exited (${code}): ${stderr}`)),
  );
  return {
    child,
    next: <T>() => inbox.next<T>(),
    send: (order) =>
      child.stdin!.write(`${typeof order === 'string' ? order : JSON.stringify(order)}\n`),
  };
}

interface Outcome {
  ok: boolean;
  error?: string;
  ms: number;
  sha256?: string;
  cpuMs: number;
}

/** The sender's outcome, or what the receiver had when the cap ran out. */
async function finish(tx: Peer, rx: Peer, src: SourceFile, bytes: number, capMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<null>((r) => {
    timer = setTimeout(() => r(null), capMs);
  });
  const done = await Promise.race([tx.next<Outcome>(), cap]).finally(() => clearTimeout(timer));
  if (done === null) {
    rx.send('report');
    const partial = await rx.next<{ bytes: number }>();
    return { mbps: partial.bytes / capMs / 1000, capped: true } satisfies Sample;
  }
  if (!done.ok) throw new Error(`wan sender failed: ${done.error}`);
  if (done.sha256 !== undefined && done.sha256 !== src.sha256) {
    throw new Error("wan: the receiver's SHA-256 differs from the source's");
  }
  const got = await rx.next<Outcome>();
  if (!got.ok) throw new Error(`wan receiver failed: ${got.error}`);
  return { mbps: bytes / done.ms / 1000, cpuMs: done.cpuMs + got.cpuMs } satisfies Sample;
}

async function tessenger(net: Internet, src: SourceFile, bytes: number, capMs: number) {
  const [a, b] = net.users as [UserHost, UserHost];
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tessenger-bench-wan-'));
  const size = String(bytes);
  const rx = startPeer(b, ['tess-recv', b.addr, dir, size, src.sha256]);
  const tx = startPeer(a, ['tess-send', a.addr, src.file, size, src.sha256]);
  try {
    type Hello = { port: number; publicKey: string };
    const [r, t] = await Promise.all([rx.next<Hello>(), tx.next<Hello>()]);
    rx.send({ peer: { address: a.addr, port: t.port }, publicKey: t.publicKey });
    await rx.next();
    tx.send({ peer: { address: b.addr, port: r.port }, publicKey: r.publicKey });
    return await finish(tx, rx, src, bytes, capMs);
  } finally {
    await stopChildren([tx.child, rx.child]);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function overTls(net: Internet, src: SourceFile, bytes: number, o: WanOptions, cc: string) {
  const [a, b] = net.users as [UserHost, UserHost];
  const set = await a.run(['sysctl', '-qw', `net.ipv4.tcp_congestion_control=${cc}`]);
  if (set.code !== 0)
    throw new Error(`wan: cannot use TCP congestion control ${cc}: ${set.stderr}`);
  const rx = startPeer(b, ['tls-recv', b.addr, o.tls.keyFile, o.tls.certFile]);
  let tx: Peer | undefined;
  try {
    const { port } = await rx.next<{ port: number }>();
    tx = startPeer(a, ['tls-send', b.addr, String(port), src.file, o.tls.certFile]);
    return await finish(tx, rx, src, bytes, o.capMs);
  } finally {
    await stopChildren(tx ? [tx.child, rx.child] : [rx.child]);
  }
}

/** Builds one internet per loss rate, runs the interleaved rounds, and tears everything down. */
export async function wanRows(o: WanOptions): Promise<WanRow[]> {
  const nets: Internet[] = [];
  const ccs = await tcpCongestionControls();
  const restore = await allowCongestionControls(ccs);
  try {
    for (const loss of o.losses) {
      nets.push(
        await buildInternet({
          users: [{ nat: 'none' }, { nat: 'none' }],
          wanImpairment: { delayMs: WAN_DELAY_MS, loss },
        }),
      );
    }
    const fileFor = (loss: number) => (loss === 0 ? o.big : o.small);
    const fns = o.losses.flatMap((loss, i) => {
      const f = fileFor(loss);
      return [
        () => tessenger(nets[i]!, f, f.bytes, o.capMs),
        ...ccs.map((cc) => () => overTls(nets[i]!, f, f.bytes, o, cc)),
      ];
    });
    const samples = await interleaved(o.runs, fns);
    const per = 1 + ccs.length;
    return o.losses.map((loss, i) => ({
      loss,
      bytes: fileFor(loss).bytes,
      tessenger: samples[per * i]!,
      tls: samples.slice(per * i + 1, per * (i + 1)),
    }));
  } finally {
    for (const net of nets) await net.destroy();
    await restore();
  }
}
