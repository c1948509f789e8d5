/**
 * The client's end of the path packets on the engine's socket: request/answer exchanges with
 * the server (BIND, ALLOC) matched by transaction id and retried, and probes routed to the
 * punch of their transfer by its tag. Nothing unauthenticated is answered.
 */
import type { Clock, TimerHandle } from '../../util/clock.js';
import { TimerGroup } from '../../util/timer-group.js';
import type { Peer } from '../net/udp-socket.js';
import type { PathChannel } from '../types.js';
import { decodePath, encodePath, newTxn, type PathPacket, PathType, peekPath } from './packet.js';

/** What a punch does with the probes of its transfer. */
export interface ProbeHandler {
  /** false: the packet did not authenticate (counted as junk by the engine). */
  handle(packet: Buffer, from: Peer): boolean;
}

interface Waiting {
  key: Buffer;
  answer: PathType;
  resolve(result: { packet: PathPacket; from: Peer } | null): void;
}

/** Retry schedule of a request: offsets in ms from the first send. */
export const REQUEST_SCHEDULE_MS = [0, 100, 300, 700, 1500];
/** An unanswered request gives up this long after its first send. */
export const REQUEST_TIMEOUT_MS = 2500;

export class PathPort {
  private readonly waiting = new Map<string, Waiting>();
  private readonly probes = new Map<string, ProbeHandler>();
  /** Path packets dropped: garbage, unknown transaction or tag, bad MAC. */
  readonly stats = { dropped: 0, answers: 0 };
  /** Retries and give-ups of pending requests; each request clears its own when it settles. */
  private readonly timers: TimerGroup;

  constructor(private readonly channel: PathChannel) {
    this.timers = new TimerGroup(channel.clock);
    channel.onPacket((packet, from) => this.dispatch(packet, from));
  }

  /** The engine's clock, which punches on this port run on too. */
  get clock(): Clock {
    return this.channel.clock;
  }

  get ipv6(): boolean {
    return this.channel.ipv6;
  }

  send(packet: Buffer, to: Peer): void {
    this.channel.send(packet, to);
  }

  /**
   * Sends a signed request to `to` on the retry schedule until its answer arrives; resolves
   * with the answer, or null once REQUEST_TIMEOUT_MS has passed.
   */
  request(
    build: (txn: Buffer) => PathPacket,
    key: Buffer,
    answer: PathType,
    to: Peer,
  ): Promise<{ packet: PathPacket; from: Peer } | null> {
    const txn = newTxn();
    const id = txn.toString('hex');
    const bytes = encodePath(build(txn), key);
    return new Promise((resolve) => {
      const timers: TimerHandle[] = [];
      const finish = (result: { packet: PathPacket; from: Peer } | null): void => {
        if (!this.waiting.delete(id)) return;
        for (const t of timers) this.timers.clear(t);
        resolve(result);
      };
      this.waiting.set(id, { key, answer, resolve: finish });
      for (const at of REQUEST_SCHEDULE_MS) {
        timers.push(this.timers.setTimeout(() => this.send(bytes, to), at));
      }
      timers.push(this.timers.setTimeout(() => finish(null), REQUEST_TIMEOUT_MS));
    });
  }

  /** Routes the probes of one transfer (by its tag) to `handler` until the returned stop. */
  register(tag: Buffer, handler: ProbeHandler): () => void {
    const id = tag.toString('hex');
    this.probes.set(id, handler);
    return () => {
      if (this.probes.get(id) === handler) this.probes.delete(id);
    };
  }

  /** Pending requests and registered punches (a test asserts none is left). */
  get size(): number {
    return this.waiting.size + this.probes.size;
  }

  /** Timers of pending requests (a test asserts none is left). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  private dispatch(packet: Buffer, from: Peer): boolean {
    const peek = peekPath(packet);
    if (!peek.ok) return this.drop();
    const { type, keyId } = peek.value;
    if (type === PathType.Probe || type === PathType.ProbeOk) {
      const handler = this.probes.get(keyId.toString('hex'));
      return handler ? handler.handle(packet, from) || this.drop() : this.drop();
    }
    const waiting = this.waiting.get(packet.subarray(12, 24).toString('hex'));
    if (!waiting || waiting.answer !== type) return this.drop();
    const decoded = decodePath(packet, waiting.key);
    if (!decoded.ok) return this.drop();
    this.stats.answers++;
    waiting.resolve({ packet: decoded.value, from });
    return true;
  }

  private drop(): false {
    this.stats.dropped++;
    return false;
  }
}
