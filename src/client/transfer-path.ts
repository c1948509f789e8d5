/**
 * Path finding for the client's transfers: gathers this side's candidates (interface
 * addresses and the server-reflexive one), punches with the other side's, and falls back to the
 * server's relay when no direct pair answers in time. Headless: the result says what kind of
 * path was found and why, the faces word it.
 */
import type { Candidate, Endpoint, UdpGrant } from '../protocol/control.js';
import { plainAddress } from '../transfer/net/udp-socket.js';
import { hostCandidates, mergeCandidates } from '../transfer/path/candidates.js';
import type { Role } from '../transfer/path/packet.js';
import { PathPort } from '../transfer/path/path-port.js';
import { Punch } from '../transfer/path/punch.js';
import { allocateRelay, bindReflexive, type ServerUdp } from '../transfer/path/server-path.js';
import type { PathChannel, TransferKeyPair } from '../transfer/types.js';
import { derivePathKey, transferTag } from '../transfer/wire/crypto.js';
import type { TimerHandle } from '../util/clock.js';
import { monotonicClock } from '../util/clock.js';
import { TimerGroup } from '../util/timer-group.js';

/** `direct`: no NAT on at least one side; `punched`: through NATs on both; `relayed`: via the server. */
export type PathKind = 'direct' | 'punched' | 'relayed';

export interface ChosenPath {
  peer: Endpoint;
  kind: PathKind;
  /** From the first probe to the chosen path, ms. */
  elapsedMs: number;
  /** Stops keep-alives; call when the transfer ends. */
  stop(): void;
  /** Relayed because this side asked for relay only (`--relay-only`). */
  relayOnly?: boolean;
}

/** A path could not be found or set up; the message is for the user. */
export class PathError extends Error {
  override name = 'PathError';
}

/** How long the presenter probes before it gives up on a direct path; default 3 s. */
export const DEFAULT_PUNCH_MS = 3000;
/** How long the audience waits for a nomination or the relay beyond that. */
const AUDIENCE_EXTRA_MS = 20_000;
/** Relay allocations are refreshed this often so the server keeps them and NATs keep the mapping. */
const RELAY_REFRESH_MS = 10_000;

export class TransferPaths {
  private readonly port: PathPort | null;
  /** Audience give-ups and relay refreshes, on the engine's clock; each path stops its own. */
  private readonly timers: TimerGroup;
  private udp: ServerUdp | null = null;
  private loopback = false;
  punchMs = DEFAULT_PUNCH_MS;
  /**
   * Never a direct path: no candidates announced, no probes answered, every transfer through
   * the server's relay (so peers never learn this side's addresses; WebRTC's "relay" policy).
   */
  relayOnly = false;

  constructor(
    channel: PathChannel | undefined,
    private readonly localPort: number,
  ) {
    this.port = channel ? new PathPort(channel) : null;
    this.timers = new TimerGroup(channel?.clock ?? monotonicClock);
  }

  /** Timers of paths still open (a test asserts none is left). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** After login: the server's UDP grant and the address the control connection reached. */
  setServer(grant: UdpGrant | undefined, serverAddress: string): void {
    const address = plainAddress(serverAddress);
    this.loopback = address.startsWith('127.') || address === '::1';
    this.udp =
      grant && this.port
        ? {
            server: { address, port: grant.port },
            session: Buffer.from(grant.session, 'hex'),
            key: Buffer.from(grant.key, 'base64'),
            relay: grant.relay,
          }
        : null;
  }

  /** Whether paths are found at all (an engine with a path channel). */
  get enabled(): boolean {
    return this.port !== null;
  }

  /** This side's candidates now: interface addresses and, if the server answers, the reflexive one. */
  async gather(): Promise<Candidate[]> {
    if (!this.port || this.relayOnly) return [];
    const hosts = hostCandidates(this.localPort, { loopback: this.loopback, ipv6: this.port.ipv6 });
    const mapped = this.udp ? await bindReflexive(this.port, this.udp) : null;
    const srflx: Candidate[] = mapped ? [{ ...mapped, kind: 'srflx' }] : [];
    return mergeCandidates(hosts, srflx);
  }

  /**
   * Presenter: probes, nominates the first pair that answers; with none after punchMs asks
   * `relay` (the control request) and allocates its end of the relay. Throws PathError.
   */
  async presenter(
    t: PathTransfer,
    relay: () => Promise<void>,
    signal?: AbortSignal,
  ): Promise<ChosenPath> {
    if (this.relayOnly) {
      if (!this.udp?.relay) throw new PathError('--relay-only, and the server does not relay');
      await relay();
      return this.allocate(t, 0, 0);
    }
    const punch = this.punch(t, 0, this.punchMs);
    const abort = (): void => punch.close();
    signal?.addEventListener('abort', abort);
    const found = await punch.result;
    signal?.removeEventListener('abort', abort);
    if (signal?.aborted) {
      punch.close();
      throw new PathError(String(signal.reason));
    }
    if (found) {
      punch.keepAlive();
      return {
        peer: found.peer,
        kind: natKind(t, found.remoteIsHost),
        elapsedMs: found.elapsedMs,
        stop: () => punch.close(),
      };
    }
    punch.close();
    const secs = (this.punchMs / 1000).toFixed(1);
    if (!this.udp?.relay) {
      throw new PathError(
        `no direct path to ${t.peerName} after ${secs} s and the server does not relay`,
      );
    }
    await relay();
    return this.allocate(t, 0, this.punchMs);
  }

  /**
   * Audience: answers probes and takes the presenter's nomination (`onPath` runs before the
   * nomination is answered); `relayed()` switches to the relay when the server says so.
   */
  audience(t: PathTransfer, onPath: (path: ChosenPath) => void): AudiencePath {
    let settled = false;
    let failTimer: TimerHandle | null = null;
    let onFail: (error: PathError) => void = () => {};
    const take = (path: ChosenPath): void => {
      if (settled) {
        path.stop();
        return;
      }
      settled = true;
      this.timers.clear(failTimer);
      onPath(path);
    };
    const punch = this.relayOnly
      ? null
      : this.punch(t, 1, this.punchMs + AUDIENCE_EXTRA_MS, (peer) => {
          const remoteIsHost = t.remote.some(
            (c) =>
              c.kind === 'host' && plainAddress(c.address) === peer.address && c.port === peer.port,
          );
          take({ peer, kind: natKind(t, remoteIsHost), elapsedMs: 0, stop: () => punch?.close() });
        });
    void punch?.result.then((found) => {
      if (found) punch.keepAlive();
    });
    return {
      relayed: async () => {
        if (settled) return;
        punch?.close();
        try {
          take(await this.allocate(t, 1, 0));
        } catch (error) {
          if (!settled) onFail(error as PathError);
          settled = true;
        }
      },
      failed: (fn) => {
        onFail = fn;
        failTimer = this.timers
          .setTimeout(() => {
            if (settled) return;
            settled = true;
            punch?.close();
            fn(new PathError(`no path from ${t.peerName} was found`));
          }, this.punchMs + AUDIENCE_EXTRA_MS)
          .unref();
      },
      stop: () => {
        settled = true;
        this.timers.clear(failTimer);
        punch?.close();
      },
    };
  }

  private punch(
    t: PathTransfer,
    role: Role,
    deadlineMs: number,
    onNominated?: (p: Endpoint) => void,
  ): Punch {
    const key = derivePathKey(
      t.keys,
      t.remotePublicKey,
      t.transferId,
      role === 0 ? 'send' : 'receive',
    );
    if (typeof key === 'string') throw new PathError(key);
    return new Punch(this.port as PathPort, {
      role,
      tag: transferTag(t.transferId),
      key,
      remote: t.remote,
      deadlineMs,
      ...(onNominated ? { onNominated } : {}),
    });
  }

  private async allocate(t: PathTransfer, role: Role, waitedMs: number): Promise<ChosenPath> {
    const udp = this.udp;
    const port = this.port;
    if (!udp || !port) throw new PathError('the server has no relay');
    const tag = transferTag(t.transferId);
    if (!(await allocateRelay(port, udp, tag, role))) {
      throw new PathError(
        `the server's relay at ${udp.server.address}:${udp.server.port} did not answer`,
      );
    }
    const refresh = this.timers
      .setInterval(() => void allocateRelay(port, udp, tag, role), RELAY_REFRESH_MS)
      .unref();
    return {
      peer: udp.server,
      kind: 'relayed',
      elapsedMs: waitedMs,
      stop: () => this.timers.clear(refresh),
      ...(this.relayOnly ? { relayOnly: true } : {}),
    };
  }
}

/** One transfer's side of path finding. */
export interface PathTransfer {
  transferId: string;
  keys: TransferKeyPair;
  remotePublicKey: string;
  /** The other side's candidates, the address the server saw first. */
  remote: Candidate[];
  /** This side's candidates, as announced. */
  local: Candidate[];
  /** The other user, for messages. */
  peerName: string;
}

export interface AudiencePath {
  /** The server says the presenter chose the relay. */
  relayed(): Promise<void>;
  /** Called once if no path comes in time or the relay cannot be set up. */
  failed(fn: (error: PathError) => void): void;
  stop(): void;
}

/** A side is behind NAT when the server saw it at an address none of its interfaces has. */
function behindNat(candidates: Candidate[]): boolean {
  const srflx = candidates.find((c) => c.kind === 'srflx');
  if (!srflx) return false;
  return !candidates.some((c) => c.kind === 'host' && c.address === srflx.address);
}

function natKind(t: PathTransfer, remoteIsHost: boolean): PathKind {
  return !remoteIsHost && behindNat(t.remote) && behindNat(t.local) ? 'punched' : 'direct';
}
