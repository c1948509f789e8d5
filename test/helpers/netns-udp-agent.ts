/**
 * A tiny UDP agent (a `node -e` script) to run inside a namespace, driven by JSON lines on
 * stdin and reporting JSON lines on stdout, for proving NAT behaviour without the product:
 *   {"stun":[["100.64.0.2",3478]]}      -> asks the echo server; prints {"mapped":{...}}
 *   {"send":["100.64.2.2",40000],"n":40} -> sends "punch" n times, 50 ms apart; then {"sent":n}
 * Every datagram from a non-server prints {"got":text,"from":{...}}; a "punch" is answered
 * with one "ack". `startUdpEcho` runs the matching echo server (it replies with the sender's
 * address as it sees it).
 */
import type { ChildProcess } from 'node:child_process';
import type { NetnsHost } from './netns.js';

const AGENT = `
const dgram = require('node:dgram');
const [family, port] = [process.env.FAMILY, Number(process.env.PORT)];
const s = dgram.createSocket(family);
s.on('error', (e) => { console.error(e.message); process.exit(1); });
const servers = new Set();
const answered = new Set();
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
s.on('message', (m, r) => {
  const text = m.toString();
  const key = r.address + ':' + r.port;
  if (servers.has(key)) {
    if (answered.has(key)) return;
    answered.add(key);
    return say({ mapped: JSON.parse(text), server: r });
  }
  say({ got: text, from: { address: r.address, port: r.port } });
  if (text === 'punch') s.send('ack', r.port, r.address);
});
s.bind(port, () => say({ bound: s.address() }));
let buf = '';
process.stdin.on('data', (d) => {
  buf += d;
  for (let i; (i = buf.indexOf('\\n')) >= 0; ) {
    const cmd = JSON.parse(buf.slice(0, i));
    buf = buf.slice(i + 1);
    for (const [h, p] of cmd.stun ?? []) {
      servers.add(h + ':' + p);
      // Retried until answered: the wan may lose datagrams.
      let k = 0;
      const ask = () => {
        if (answered.has(h + ':' + p) || k++ >= 50) return;
        s.send('who', p, h);
        setTimeout(ask, 100);
      };
      ask();
    }
    if (cmd.send) {
      let k = 0;
      const tick = () => {
        if (k++ >= cmd.n) return say({ sent: cmd.n });
        s.send('punch', cmd.send[1], cmd.send[0]);
        setTimeout(tick, 50);
      };
      tick();
    }
  }
});
process.stdin.on('end', () => process.exit(0));
`;

const ECHO = `
const dgram = require('node:dgram');
const addrs = process.env.ADDRS.split(',');
let pending = addrs.length;
for (const host of addrs) {
  const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  s.on('error', (e) => { console.error(e.message); process.exit(1); });
  s.on('message', (m, r) => s.send(JSON.stringify({ address: r.address, port: r.port }), r.port, r.address));
  s.bind(Number(process.env.PORT), host, () => { if (--pending === 0) process.stdout.write('ready\\n'); });
}
`;

export interface Endpoint {
  address: string;
  port: number;
}

/** A JSON-line event the agent printed. */
export type AgentEvent =
  | { bound: Endpoint }
  | { mapped: Endpoint; server: Endpoint }
  | { got: string; from: Endpoint }
  | { sent: number };

export class UdpAgent {
  readonly events: AgentEvent[] = [];
  private waiters: Array<() => void> = [];
  private readonly child: ChildProcess;

  constructor(host: NetnsHost, port: number, family: 'udp4' | 'udp6' = 'udp4') {
    this.child = host.exec(['node', '-e', AGENT], {
      env: { FAMILY: family, PORT: String(port) },
    });
    let buf = '';
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        this.events.push(JSON.parse(buf.slice(0, i)) as AgentEvent);
        buf = buf.slice(i + 1);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.child.once('exit', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  command(cmd: object): void {
    this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
  }

  /**
   * Resolves with the first event that matches; rejects if the agent exits first, or after a
   * generous hang guard (the agent's own sends are bounded, so this only catches a bug).
   */
  async waitFor<T extends AgentEvent>(match: (e: AgentEvent) => e is T): Promise<T> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline) {
        throw new Error(`udp agent: no such event; events: ${JSON.stringify(this.events)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async bound(): Promise<Endpoint> {
    return (await this.waitFor((e): e is { bound: Endpoint } => 'bound' in e)).bound;
  }

  /** Asks the echo server at `server` which address it sees us from. */
  async mapped(server: Endpoint): Promise<Endpoint> {
    this.command({ stun: [[server.address, server.port]] });
    const isReply = (e: AgentEvent): e is { mapped: Endpoint; server: Endpoint } =>
      'mapped' in e &&
      e.server.port === server.port &&
      sameAddress(e.server.address, server.address);
    return (await this.waitFor(isReply)).mapped;
  }

  /** Datagrams received from anyone but an echo server. */
  received(): Array<{ got: string; from: Endpoint }> {
    return this.events.filter((e): e is { got: string; from: Endpoint } => 'got' in e);
  }

  close(): void {
    this.child.stdin!.end();
  }
}

/**
 * Starts the echo server in `host` on `port` of each of `addresses` (bound one by one, so a
 * reply leaves from the address that was asked); resolves once it listens.
 */
export async function startUdpEcho(host: NetnsHost, port: number, addresses: string[]) {
  const env = { PORT: String(port), ADDRS: addresses.join(',') };
  const child = host.exec(['node', '-e', ECHO], { env });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`udp echo exited ${code}`)));
  });
}

/** Compares addresses in any IPv6 spelling (the URL parser prints the canonical one). */
export function sameAddress(a: string, b: string): boolean {
  const norm = (x: string) => (x.includes(':') ? new URL(`http://[${x}]`).hostname : x);
  return norm(a) === norm(b);
}
