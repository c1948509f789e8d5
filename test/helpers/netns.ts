/**
 * A small "internet" of Linux network namespaces with real kernel NAT, for end-to-end tests
 * that run the real CLI inside them. Needs root, iproute2 and iptables (python3 only for
 * `wanImpairment.delayMs`). Nothing is connected to the root namespace; every address is
 * private (100.64.0.0/10 plays the public internet, 192.168.X.0/24 the homes, fd00::/8 IPv6).
 *
 *               server 100.64.0.2 (+ .3), fd00:64::2 (+ ::3)
 *                  │ s0 = 100.64.0.1
 *   wan (core router, forwards; loss/delay of the wide hop live here)
 *     │ uX = 100.64.X.1 (X = user index + 1)
 *     ├─ nat 'none':   user host eth0 100.64.X.2, fd00:64:X::2 (public)
 *     └─ nat 'cone' | 'symmetric' | 'blocked-udp':
 *          router wan0 100.64.X.2, fd00:64:X::2 ── lan0 192.168.X.1, fd00:168:X::1
 *            └─ home eth0 192.168.X.2, fd00:168:X::2 (IPv6 routed, no NAT66)
 *
 * NAT behaviours (measured by test/integration/netns-internet.test.ts):
 * - 'cone': MASQUERADE. Linux keeps the source port when it is free, so the mapping is
 *   endpoint-independent; conntrack filtering is address-and-port dependent (port-restricted
 *   cone). Simultaneous hole punching works.
 * - 'symmetric': MASQUERADE --random-fully: a new random public port per destination, so the
 *   port the server reports is useless to a peer and punching fails (a relay is needed).
 * - 'blocked-udp': like 'cone', but UDP towards anything except the server subnet is dropped.
 * Every home router has a home-router firewall: inbound to the router itself only if
 * ESTABLISHED/RELATED, forwarded inbound only ESTABLISHED/RELATED (IPv6 the same by default;
 * `v6Firewall: 'open'` forwards all inbound IPv6).
 *
 * The INPUT drop matters for punching (see the test "without the INPUT drop"): a peer's punch
 * that reaches router B before B's own first packet to that peer leaves is, without the drop,
 * accepted by B's INPUT chain and becomes a confirmed conntrack entry A:pa -> B:pb. B's
 * outbound packet to A:pa then would need the same tuple, so MASQUERADE picks another port
 * pb' for it; A's router has no mapping for B:pb' and drops it, and A keeps refreshing the
 * stale entry: the punch never completes. With the drop the entry is never confirmed
 * (conntrack confirms at the end of INPUT), B keeps pb and the punch succeeds.
 *
 * Wide-hop impairment: `loss` is kernel-side (`-m statistic --mode random` DROP in the wan's
 * FORWARD chain, once per crossing, v4 and v6, every protocol). `delayMs` is added once per
 * crossing by a transparent TUN delay router in the wan (netns-delay.ts): a round trip between
 * two users, or a user and the server, gets 2 x delayMs. Example "40 ms RTT, 2 % loss":
 * `wanImpairment: { delayMs: 20, loss: 0.02 }` (measured: UDP RTT median 41.9 ms; TCP through
 * the delay router ~60 MB/s).
 *
 * Usage (the real CLI; CliProcess takes `netns`, host.exec/startProcess spawn anything):
 *   requireNetns();                                    // throws a clear reason, never skips
 *   const net = await buildInternet({ users: [{ nat: 'cone' }, { nat: 'cone' }] });
 *   try {
 *     new CliProcess(['server', '5000', '3', '--host', net.server.addr], { cwd, netns: net.server.ns });
 *     new CliProcess(['client', net.server.addr, '5000', '0'], { cwd: a, netns: net.users[0]!.ns });
 *     net.startProcess(net.users[1]!, [process.execPath, CLI, 'client', ...], { K: 'v' });
 *   } finally {
 *     await net.destroy();   // SIGTERM/SIGKILL tracked children, SIGKILL anything else in them
 *   }
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { DELAY_IF, startDelayRouter } from './netns-delay.js';
import {
  deleteNamespaces,
  type ExecOptions,
  must,
  netnsUnavailableReason,
  type RunResult,
  run,
  spawnIn,
  stopChildren,
} from './netns-exec.js';

export type { ExecOptions, RunResult } from './netns-exec.js';

export type NatKind = 'none' | 'cone' | 'symmetric' | 'blocked-udp';

/** One user's connection to the internet. */
export interface UserSpec {
  nat: NatKind;
  /** Give this user an IPv6 address too (always on with `v6Only`). */
  v6?: boolean;
  /** 'stateful' (default): inbound IPv6 only when ESTABLISHED/RELATED; 'open': all inbound. */
  v6Firewall?: 'stateful' | 'open';
  /** Default true. false removes the router's INPUT drop (to show the conntrack clash). */
  dropUnsolicitedInput?: boolean;
}

export interface InternetOptions {
  users: UserSpec[];
  /** No IPv4 anywhere: every namespace has only its IPv6 address. */
  v6Only?: boolean;
  /** The wide hop: loss probability 0..1 and one-way delay per crossing of the wan. */
  wanImpairment?: { loss?: number; delayMs?: number };
}

/** A namespace and what runs in it. */
export interface NetnsHost {
  /** 'wan', 'server', 'user0', 'router0', ... */
  readonly role: string;
  readonly ns: string;
  /** The main address: IPv4 unless `v6Only`. */
  readonly addr: string;
  readonly addr4?: string;
  readonly addr6?: string;
  /** Spawns inside the namespace (piped stdio, tracked: destroy() kills it). */
  exec(argv: string[], options?: ExecOptions): ChildProcess;
  /** Runs to completion inside the namespace. */
  run(argv: string[], options?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  /** Runs the working iptables (nft or legacy) here; resolves with its stdout, throws on error. */
  iptables(args: string[]): Promise<string>;
  ip6tables(args: string[]): Promise<string>;
}

/** The home router of a NATed user; `addr` is its public (WAN) address. */
export interface RouterHost extends NetnsHost {
  readonly nat: Exclude<NatKind, 'none'>;
  readonly lanAddr4?: string;
  readonly lanAddr6?: string;
}

export interface UserHost extends NetnsHost {
  readonly index: number;
  readonly nat: NatKind;
  /** The router in front of it; undefined for nat 'none'. */
  readonly router?: RouterHost;
  /** The IPv4 address the internet sees for it: its router's WAN address or its own. */
  readonly publicAddr4?: string;
}

export interface ServerHost extends NetnsHost {
  /** A second address on the server, for comparing mappings two endpoints see. */
  readonly altAddr4?: string;
  readonly altAddr6?: string;
}

export interface Internet {
  readonly id: string;
  readonly wan: NetnsHost;
  readonly server: ServerHost;
  readonly users: UserHost[];
  readonly routers: RouterHost[];
  /** Same as host.exec: spawns `argv` in the host's namespace, killed by destroy(). */
  startProcess(host: NetnsHost, argv: string[], env?: Record<string, string>): ChildProcess;
  /** Takes a user's (or the server's) link to the wan down or up again. */
  setLink(host: UserHost | ServerHost, up: boolean): Promise<void>;
  /** Kills every process started in it and deletes every namespace. Idempotent. */
  destroy(): Promise<void>;
}

/** True when this machine can build an internet (root, ip, iptables). */
export function netnsAvailable(): boolean {
  return netnsUnavailableReason() === undefined;
}

/** Throws a clear error when the harness cannot run; tests call it so they fail, not skip. */
export function requireNetns(): void {
  const reason = netnsUnavailableReason();
  if (reason) throw new Error(`netns harness unavailable: ${reason}`);
}

const live = new Map<string, Set<string>>();
let exitHookInstalled = false;
function trackNamespaces(id: string, namespaces: Set<string>): void {
  live.set(id, namespaces);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when a test process exits without destroy(): namespaces outlive processes.
  const cleanup = () => {
    for (const set of live.values()) deleteNamespaces(set);
    live.clear();
  };
  process.on('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanup();
      // Keep the default (die by the signal) unless someone else handles it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

let iptablesBins: Promise<[string, string]> | undefined;
/** nft-backed `iptables` is the Debian 12 default; fall back to legacy if it cannot NAT. */
function pickIptables(ns: string): Promise<[string, string]> {
  iptablesBins ??= (async () => {
    for (const [v4, v6] of [
      ['iptables', 'ip6tables'],
      ['iptables-legacy', 'ip6tables-legacy'],
    ] as const) {
      const add = await run('ip', [
        ...['netns', 'exec', ns, v4, '-w', '-t', 'nat', '-A', 'POSTROUTING'],
        ...['-o', 'tsgprobe', '-j', 'MASQUERADE', '--random-fully'],
      ]);
      await run('ip', ['netns', 'exec', ns, v4, '-w', '-t', 'nat', '-F']);
      if (add.code === 0) return [v4, v6];
    }
    throw new Error('netns: neither iptables nor iptables-legacy can add a MASQUERADE rule');
  })();
  return iptablesBins;
}

export async function buildInternet(options: InternetOptions): Promise<Internet> {
  requireNetns();
  if (options.users.length < 1 || options.users.length > 200) {
    throw new Error('netns: between 1 and 200 users');
  }
  const id = `tsg${process.pid.toString(36)}${randomBytes(2).toString('hex')}`;
  const namespaces = new Set<string>();
  const children = new Set<ChildProcess>();
  trackNamespaces(id, namespaces);
  const track = (c: ChildProcess) => {
    children.add(c);
    c.once('exit', () => children.delete(c));
  };
  let destroyed = false;
  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    await stopChildren(children);
    deleteNamespaces(namespaces);
    live.delete(id);
  };
  try {
    const built = await build(id, options, namespaces, track);
    return { ...built, destroy, startProcess: (host, argv, env) => host.exec(argv, { env }) };
  } catch (error) {
    await destroy();
    throw error;
  }
}

type Built = Omit<Internet, 'destroy' | 'startProcess'>;

async function build(
  id: string,
  options: InternetOptions,
  namespaces: Set<string>,
  track: (c: ChildProcess) => void,
): Promise<Built> {
  const v4 = !options.v6Only;
  const ip = (ns: string, ...args: string[]) => must('ip', ['-n', ns, ...args]);
  const sysctl = (ns: string, ...kv: string[]) =>
    must('ip', ['netns', 'exec', ns, 'sysctl', '-qw', ...kv]);

  const addNs = async (suffix: string) => {
    const ns = `${id}-${suffix}`;
    await must('ip', ['netns', 'add', ns]);
    namespaces.add(ns);
    await ip(ns, 'link', 'set', 'lo', 'up');
    // No duplicate address detection: addresses are usable at once.
    await sysctl(ns, 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0');
    return ns;
  };
  const link = async (a: string, ifA: string, b: string, ifB: string) => {
    await ip(a, 'link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB, 'netns', b);
    await ip(a, 'link', 'set', ifA, 'up');
    await ip(b, 'link', 'set', ifB, 'up');
  };
  const addr = async (ns: string, dev: string, a4: string | undefined, a6: string | undefined) => {
    if (a4) await ip(ns, 'addr', 'add', `${a4}/24`, 'dev', dev);
    if (a6) await ip(ns, '-6', 'addr', 'add', `${a6}/64`, 'dev', dev, 'nodad');
  };
  const defaultVia = async (ns: string, gw4: string | undefined, gw6: string | undefined) => {
    if (gw4) await ip(ns, 'route', 'add', 'default', 'via', gw4);
    if (gw6) await ip(ns, '-6', 'route', 'add', 'default', 'via', gw6);
  };
  const host = (role: string, ns: string, a4?: string, a6?: string): NetnsHost => ({
    role,
    ns,
    addr: (a4 ?? a6)!,
    addr4: a4,
    addr6: a6,
    exec(argv, execOptions) {
      const child = spawnIn(ns, argv, execOptions);
      track(child);
      return child;
    },
    run(argv, runOptions) {
      return run('ip', ['netns', 'exec', ns, ...argv], runOptions);
    },
    iptables: (args) => ipt(ns, args),
    ip6tables: (args) => ip6t(ns, args),
  });
  const only4 = (a: string) => (v4 ? a : undefined);

  const wanNs = await addNs('wan');
  const [iptables, ip6tables] = await pickIptables(wanNs);
  const ipt = (ns: string, args: string[]) =>
    must('ip', ['netns', 'exec', ns, iptables, '-w', ...args]);
  const ip6t = (ns: string, args: string[]) =>
    must('ip', ['netns', 'exec', ns, ip6tables, '-w', ...args]);
  await sysctl(wanNs, 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1');
  const wan = host('wan', wanNs, only4('100.64.0.1'), 'fd00:64::1');
  const wanLinks: string[] = [];

  const srvNs = await addNs('srv');
  await link(wanNs, 's0', srvNs, 'eth0');
  wanLinks.push('s0');
  await addr(wanNs, 's0', only4('100.64.0.1'), 'fd00:64::1');
  await addr(srvNs, 'eth0', only4('100.64.0.2'), 'fd00:64::2');
  await addr(srvNs, 'eth0', only4('100.64.0.3'), 'fd00:64::3');
  await defaultVia(srvNs, only4('100.64.0.1'), 'fd00:64::1');
  const server: ServerHost = {
    ...host('server', srvNs, only4('100.64.0.2'), 'fd00:64::2'),
    altAddr4: only4('100.64.0.3'),
    altAddr6: 'fd00:64::3',
  };

  const users: UserHost[] = [];
  const routers: RouterHost[] = [];
  for (const [index, spec] of options.users.entries()) {
    const x = index + 1;
    const v6 = options.v6Only || spec.v6 === true;
    const wanIf = `u${index}`;
    wanLinks.push(wanIf);
    if (spec.nat === 'none') {
      const userNs = await addNs(`u${index}`);
      await link(wanNs, wanIf, userNs, 'eth0');
      await addr(wanNs, wanIf, only4(`100.64.${x}.1`), `fd00:64:${x}::1`);
      const a4 = only4(`100.64.${x}.2`);
      const a6 = v6 ? `fd00:64:${x}::2` : undefined;
      await addr(userNs, 'eth0', a4, a6);
      await defaultVia(userNs, only4(`100.64.${x}.1`), v6 ? `fd00:64:${x}::1` : undefined);
      users.push({ ...host(`user${index}`, userNs, a4, a6), index, nat: 'none', publicAddr4: a4 });
      continue;
    }
    const routerNs = await addNs(`r${index}`);
    const userNs = await addNs(`u${index}`);
    await link(wanNs, wanIf, routerNs, 'wan0');
    await link(routerNs, 'lan0', userNs, 'eth0');
    await addr(wanNs, wanIf, only4(`100.64.${x}.1`), `fd00:64:${x}::1`);
    await addr(routerNs, 'wan0', only4(`100.64.${x}.2`), `fd00:64:${x}::2`);
    await addr(routerNs, 'lan0', only4(`192.168.${x}.1`), v6 ? `fd00:168:${x}::1` : undefined);
    const a4 = only4(`192.168.${x}.2`);
    const a6 = v6 ? `fd00:168:${x}::2` : undefined;
    await addr(userNs, 'eth0', a4, a6);
    await defaultVia(routerNs, only4(`100.64.${x}.1`), `fd00:64:${x}::1`);
    await defaultVia(userNs, only4(`192.168.${x}.1`), v6 ? `fd00:168:${x}::1` : undefined);
    await sysctl(routerNs, 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1');
    if (v6) await ip(wanNs, '-6', 'route', 'add', `fd00:168:${x}::/64`, 'via', `fd00:64:${x}::2`);

    if (v4) {
      const masquerade = ['-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan0', '-j', 'MASQUERADE'];
      await ipt(
        routerNs,
        spec.nat === 'symmetric' ? [...masquerade, '--random-fully'] : masquerade,
      );
      if (spec.dropUnsolicitedInput !== false) {
        await ipt(routerNs, ['-A', 'INPUT', '-i', 'wan0', ...newState, '-j', 'DROP']);
      }
      await ipt(routerNs, ['-A', 'FORWARD', '-i', 'wan0', ...replies, '-j', 'ACCEPT']);
      await ipt(routerNs, ['-A', 'FORWARD', '-i', 'wan0', '-j', 'DROP']);
      if (spec.nat === 'blocked-udp') {
        await ipt(routerNs, [...udpOut, '!', '-d', '100.64.0.0/24', '-j', 'DROP']);
      }
    }
    // Neighbour discovery must reach the router; everything else new from the wan is dropped.
    await ip6t(routerNs, ['-A', 'INPUT', '-p', 'ipv6-icmp', '-j', 'ACCEPT']);
    if (spec.dropUnsolicitedInput !== false) {
      await ip6t(routerNs, ['-A', 'INPUT', '-i', 'wan0', ...newState, '-j', 'DROP']);
    }
    if (spec.v6Firewall !== 'open') {
      await ip6t(routerNs, ['-A', 'FORWARD', '-i', 'wan0', ...replies, '-j', 'ACCEPT']);
      await ip6t(routerNs, ['-A', 'FORWARD', '-i', 'wan0', '-j', 'DROP']);
    }
    if (spec.nat === 'blocked-udp') {
      await ip6t(routerNs, [...udpOut, '!', '-d', 'fd00:64::/64', '-j', 'DROP']);
    }
    const router: RouterHost = {
      ...host(`router${index}`, routerNs, only4(`100.64.${x}.2`), `fd00:64:${x}::2`),
      nat: spec.nat,
      lanAddr4: only4(`192.168.${x}.1`),
      lanAddr6: v6 ? `fd00:168:${x}::1` : undefined,
    };
    routers.push(router);
    users.push({
      ...host(`user${index}`, userNs, a4, a6),
      index,
      nat: spec.nat,
      router,
      publicAddr4: router.addr4,
    });
  }

  const imp = options.wanImpairment ?? {};
  if (imp.loss) {
    // `! -o dly0`: with the delay router a packet crosses FORWARD twice; drop on one pass only.
    const drop = ['-A', 'FORWARD', '!', '-o', DELAY_IF, '-m', 'statistic', '--mode', 'random'];
    const rule = [...drop, '--probability', String(imp.loss), '-j', 'DROP'];
    await ipt(wanNs, rule);
    await ip6t(wanNs, rule);
  }
  if (imp.delayMs) await startDelayRouter(wanNs, wanLinks, imp.delayMs, track);

  const linkOf = (h: UserHost | ServerHost) => ('index' in h ? `u${h.index}` : 's0');
  return {
    id,
    wan,
    server,
    users,
    routers,
    async setLink(h, up) {
      await ip(wanNs, 'link', 'set', linkOf(h), up ? 'up' : 'down');
    },
  };
}

const newState = ['-m', 'conntrack', '--ctstate', 'NEW'];
const replies = ['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED'];
const udpOut = ['-A', 'FORWARD', '-i', 'lan0', '-o', 'wan0', '-p', 'udp'];
