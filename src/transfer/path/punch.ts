/**
 * Hole punching for one transfer, the way ICE does it: both peers probe every candidate of
 * the other at once, signed with a key only the two of them hold; a probe from an address not
 * in the list (a NAT's new mapping) is answered and probed back at once. The presenter
 * (controlling side) nominates the first address that answered; the audience takes the
 * address a nomination came from. Afterwards keep-alives hold both NAT mappings open.
 */
import type { Candidate } from '../../protocol/control.js';
import type { TimerHandle } from '../../util/clock.js';
import { TimerGroup } from '../../util/timer-group.js';
import { type Peer, plainAddress } from '../net/udp-socket.js';
import { decodePath, encodePath, newTxn, PathFlag, PathType, type Role } from './packet.js';
import type { PathPort } from './path-port.js';

/** Probe rounds: fast at first (a punch usually lands in the first round trips), then slower. */
const FAST_PROBE_MS = 50;
const FAST_ROUNDS = 20;
const SLOW_PROBE_MS = 250;
/** Keep-alive period on a chosen direct path: well under common NAT UDP time-outs (30 s+). */
export const KEEPALIVE_MS = 10_000;

export interface PunchOptions {
  role: Role;
  tag: Buffer;
  /** HMAC key of this transfer's probes (derivePathKey). */
  key: Buffer;
  /** The other side's candidates (host, server-reflexive, and the address the server saw). */
  remote: Candidate[];
  /** Give up after this long without a nominated path. */
  deadlineMs: number;
  /**
   * Audience: called with the nominated address before the nomination is answered, so the
   * receiving transfer exists when the presenter's first datagram arrives.
   */
  onNominated?(peer: Peer): void;
  /** Keep-alive period once a path is chosen; KEEPALIVE_MS by default. */
  keepAliveMs?: number;
}

export interface PunchResult {
  peer: Peer;
  /** Time from the first probe to the nomination, ms. */
  elapsedMs: number;
  /** Whether `peer` was one of the other side's host addresses (no NAT in front of it). */
  remoteIsHost: boolean;
}

const keyOf = (p: Peer): string => `${plainAddress(p.address)}|${p.port}`;

export class Punch {
  readonly result: Promise<PunchResult | null>;
  /** Probes sent, answers received, packets that did not authenticate. */
  readonly stats = { probes: 0, answers: 0, bad: 0, keepalives: 0 };
  private readonly targets = new Map<string, Peer>();
  private readonly hosts = new Set<string>();
  private readonly started: number;
  /** Probe rounds, the deadline and keep-alives, on the port's clock; close() clears them. */
  private readonly timers: TimerGroup;
  private readonly unregister: () => void;
  private settle!: (result: PunchResult | null) => void;
  private chosen: Peer | null = null;
  private nominating: Peer | null = null;
  private done = false;
  private rounds = 0;
  private keepalive: TimerHandle | null = null;

  constructor(
    private readonly port: PathPort,
    private readonly options: PunchOptions,
  ) {
    this.timers = new TimerGroup(port.clock);
    this.started = this.timers.now();
    this.result = new Promise((resolve) => {
      this.settle = resolve;
    });
    for (const c of options.remote) {
      if (!port.ipv6 && c.address.includes(':')) continue;
      this.targets.set(keyOf(c), { address: plainAddress(c.address), port: c.port });
      if (c.kind === 'host') this.hosts.add(keyOf(c));
    }
    this.unregister = port.register(options.tag, { handle: (p, from) => this.handle(p, from) });
    this.round();
    this.later(options.deadlineMs, () => this.finish(null));
  }

  /** The nominated path, once there is one. */
  get peer(): Peer | null {
    return this.chosen;
  }

  /** Stops probing (a relay was chosen or the transfer ended); keeps nothing running. */
  close(): void {
    this.finish(null);
    this.timers.clearAll();
    this.keepalive = null;
    this.unregister();
  }

  /** After the transfer starts: a probe every KEEPALIVE_MS so both NATs keep the mapping. */
  keepAlive(): void {
    if (!this.chosen || this.keepalive) return;
    const to = this.chosen;
    this.keepalive = this.timers
      .setInterval(() => {
        this.stats.keepalives++;
        this.probe(to, PathFlag.KeepAlive);
      }, this.options.keepAliveMs ?? KEEPALIVE_MS)
      .unref();
  }

  /** Timers still running: probe rounds and the deadline until settled, then the keep-alive. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  private later(ms: number, fn: () => void): void {
    this.timers.setTimeout(fn, ms);
  }

  private round(): void {
    if (this.done) return;
    if (this.nominating) this.probe(this.nominating, PathFlag.Nominate);
    else for (const target of this.targets.values()) this.probe(target, 0);
    this.rounds++;
    this.later(this.rounds < FAST_ROUNDS ? FAST_PROBE_MS : SLOW_PROBE_MS, () => this.round());
  }

  private probe(to: Peer, flags: number): void {
    this.stats.probes++;
    const packet = encodePath(
      {
        type: PathType.Probe,
        keyId: this.options.tag,
        txn: newTxn(),
        flags,
        role: this.options.role,
      },
      this.options.key,
    );
    this.port.send(packet, to);
  }

  private handle(packet: Buffer, from: Peer): boolean {
    const decoded = decodePath(packet, this.options.key);
    if (!decoded.ok) {
      this.stats.bad++;
      return false;
    }
    const msg = decoded.value;
    // Our own probes reflected back (a candidate that is our own address) are not the peer.
    if (
      (msg.type !== PathType.Probe && msg.type !== PathType.ProbeOk) ||
      msg.role === this.options.role
    ) {
      this.stats.bad++;
      return false;
    }
    const peer = { address: plainAddress(from.address), port: from.port };
    if (msg.type === PathType.Probe) {
      const nominate = (msg.flags & PathFlag.Nominate) !== 0;
      if (nominate && this.options.role === 1 && !this.chosen) this.choose(peer);
      const answer = encodePath(
        {
          type: PathType.ProbeOk,
          keyId: this.options.tag,
          txn: msg.txn,
          flags: msg.flags & PathFlag.Nominate,
          role: this.options.role,
          mapped: peer,
        },
        this.options.key,
      );
      this.port.send(answer, peer);
      // A new mapping of the peer's NAT (peer-reflexive): probe it back at once.
      if (!this.done && !this.targets.has(keyOf(peer))) {
        this.targets.set(keyOf(peer), peer);
        this.probe(peer, 0);
      }
      return true;
    }
    this.stats.answers++;
    if (this.options.role === 0 && !this.done) {
      if ((msg.flags & PathFlag.Nominate) !== 0) {
        if (this.nominating && keyOf(this.nominating) === keyOf(peer)) this.choose(peer);
      } else if (!this.nominating) {
        // The first address that answered both ways carries the transfer.
        this.nominating = peer;
        this.probe(peer, PathFlag.Nominate);
      }
    }
    return true;
  }

  private choose(peer: Peer): void {
    this.chosen = peer;
    this.options.onNominated?.(peer);
    this.finish({
      peer,
      elapsedMs: this.timers.now() - this.started,
      remoteIsHost: this.hosts.has(keyOf(peer)),
    });
  }

  private finish(result: PunchResult | null): void {
    if (this.done) return;
    this.done = true;
    // The keep-alive starts after this, so clearing everything stops only the search.
    this.timers.clearAll();
    this.settle(result);
  }
}
