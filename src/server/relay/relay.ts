/**
 * The relay: for a transfer its two parties could not connect directly, forwards transfer
 * datagrams between the two endpoints that allocated it, unchanged. It holds no keys and
 * reads only the clear header (magic, direction, transfer tag), so the end-to-end AEAD
 * stays. It forwards only for a transfer the server brokered, only from one allocated
 * endpoint to the other, never back to a source, and within the per-user and total caps.
 */
import type { Mapped, Role } from '../../transfer/path/packet.js';
import { transferTag } from '../../transfer/wire/crypto.js';
import { HEADER_BYTES, TAG_BYTES } from '../../transfer/wire/datagram.js';
import type { TimerHandle, TimeSource } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { TimerGroup } from '../../util/timer-group.js';
import type { ClientSession } from '../client-session.js';
import type { DatagramOut } from './binding.js';
import type { RelayCaps } from './caps.js';
import type { UdpStats } from './stats.js';

/** An allocation with no ALLOC and no datagram for this long is closed. */
export const RELAY_IDLE_MS = 30_000;

/** What the relay needs of a brokered transfer. */
export interface RelayedTransfer {
  readonly id: string;
  readonly presenter: ClientSession;
  /** The presenter's username. */
  readonly from: string;
  readonly audience: ClientSession;
  /** The audience's username. */
  readonly to: string;
}

/** Bytes relayed for one transfer so far. */
export interface RelayCounts {
  bytesToAudience: number;
  bytesToPresenter: number;
  datagrams: number;
}

interface Side {
  readonly session: ClientSession;
  readonly user: string;
  endpoint: Mapped | null;
}

interface Allocation extends RelayCounts {
  readonly transfer: RelayedTransfer;
  /** Indexed by Role: 0 presenter, 1 audience. */
  readonly sides: readonly [Side, Side];
  lastActive: number;
  timer: TimerHandle | null;
}

export interface RelayOptions {
  readonly clock: TimeSource;
  readonly timers: TimerGroup;
  readonly logger: Logger;
  readonly caps: RelayCaps;
  readonly stats: UdpStats['relay'];
  readonly out: DatagramOut;
  readonly idleMs?: number;
}

/** Tag bytes as a map key (8 bytes → an 8-character string, no hex work per datagram). */
const tagKey = (bytes: Buffer, at = 0): string => bytes.toString('latin1', at, at + 8);

/** Allocations by transfer tag. */
export class Relay {
  private readonly byTag = new Map<string, Allocation>();
  private readonly byId = new Map<string, string>();
  private readonly idleMs: number;

  constructor(private readonly o: RelayOptions) {
    this.idleMs = o.idleMs ?? RELAY_IDLE_MS;
  }

  /** Starts relaying `transfer`; false if it already was. */
  open(transfer: RelayedTransfer): boolean {
    if (this.byId.has(transfer.id)) return false;
    const key = tagKey(transferTag(transfer.id));
    const allocation: Allocation = {
      transfer,
      sides: [
        { session: transfer.presenter, user: transfer.from, endpoint: null },
        { session: transfer.audience, user: transfer.to, endpoint: null },
      ],
      bytesToAudience: 0,
      bytesToPresenter: 0,
      datagrams: 0,
      lastActive: this.o.clock.now(),
      timer: null,
    };
    allocation.timer = this.o.timers.setTimeout(() => this.checkIdle(key), this.idleMs);
    this.byTag.set(key, allocation);
    this.byId.set(transfer.id, key);
    return true;
  }

  /**
   * An ALLOC verified as signed by `session`: records `source` as that role's endpoint if the
   * session is that role's party of a relayed transfer with this tag. A new source replaces
   * the old one (the client's address changed). False (and counted) otherwise.
   */
  allocate(session: ClientSession, tag: Buffer, role: Role, source: Mapped): boolean {
    const allocation = this.byTag.get(tagKey(tag));
    if (!allocation) {
      this.o.stats.dropped.unknownTag += 1;
      return false;
    }
    const side = allocation.sides[role];
    if (side.session !== session) {
      this.o.stats.dropped.notParty += 1;
      return false;
    }
    side.endpoint = { address: source.address, port: source.port };
    allocation.lastActive = this.o.clock.now();
    this.o.stats.allocated += 1;
    return true;
  }

  /** A transfer datagram (first byte 0x54) from `source`: forwarded or dropped and counted. */
  forward(datagram: Buffer, source: Mapped): void {
    const stats = this.o.stats;
    const direction = datagram[3];
    if (datagram.length < HEADER_BYTES + TAG_BYTES || (direction !== 0 && direction !== 1)) {
      stats.dropped.malformed += 1;
      return;
    }
    const allocation = this.byTag.get(tagKey(datagram, 4));
    if (!allocation) {
      stats.dropped.unknownTag += 1;
      return;
    }
    const from = allocation.sides[direction];
    const at = from.endpoint;
    if (at === null || at.port !== source.port || at.address !== source.address) {
      stats.dropped.wrongSource += 1;
      return;
    }
    const to = allocation.sides[direction === 0 ? 1 : 0].endpoint;
    if (to === null) {
      stats.dropped.noPeer += 1;
      return;
    }
    if (!this.o.caps.allow(from.user, datagram.length)) {
      stats.capped += 1;
      return;
    }
    allocation.lastActive = this.o.clock.now();
    allocation.datagrams += 1;
    if (direction === 0) allocation.bytesToAudience += datagram.length;
    else allocation.bytesToPresenter += datagram.length;
    stats.forwardedDatagrams += 1;
    stats.forwardedBytes += datagram.length;
    this.o.out.send(datagram, to.port, to.address);
  }

  /** Bytes relayed so far for an open allocation. */
  counts(transferId: string): RelayCounts | undefined {
    const key = this.byId.get(transferId);
    const allocation = key === undefined ? undefined : this.byTag.get(key);
    if (!allocation) return undefined;
    const { bytesToAudience, bytesToPresenter, datagrams } = allocation;
    return { bytesToAudience, bytesToPresenter, datagrams };
  }

  isRelayed(transferId: string): boolean {
    return this.byId.has(transferId);
  }

  get size(): number {
    return this.byTag.size;
  }

  /** Ends the allocation of `transferId` (if any) and logs its byte counts once. */
  close(transferId: string, reason: string): void {
    const key = this.byId.get(transferId);
    if (key !== undefined) this.closeKey(key, reason);
  }

  /** Ends every allocation (server shutdown). */
  closeAll(reason: string): void {
    for (const key of [...this.byTag.keys()]) this.closeKey(key, reason);
  }

  private closeKey(key: string, reason: string): void {
    const allocation = this.byTag.get(key);
    if (!allocation) return;
    this.byTag.delete(key);
    this.byId.delete(allocation.transfer.id);
    this.o.timers.clear(allocation.timer);
    const { transfer, sides, bytesToAudience, bytesToPresenter, datagrams } = allocation;
    for (const side of sides) if (!this.relaying(side.user)) this.o.caps.forget(side.user);
    this.o.logger.info('relay closed', {
      transferId: transfer.id,
      from: transfer.from,
      to: transfer.to,
      bytesToAudience,
      bytesToPresenter,
      datagrams,
      reason,
    });
  }

  /** Whether `user` is a party of any open allocation. */
  private relaying(user: string): boolean {
    for (const allocation of this.byTag.values()) {
      if (allocation.sides[0].user === user || allocation.sides[1].user === user) return true;
    }
    return false;
  }

  /** One timer per allocation, re-armed for the rest of the idle time rather than per datagram. */
  private checkIdle(key: string): void {
    const allocation = this.byTag.get(key);
    if (!allocation) return;
    const idle = this.o.clock.now() - allocation.lastActive;
    if (idle >= this.idleMs) {
      allocation.timer = null;
      this.closeKey(key, `no datagram for ${Math.round(this.idleMs / 1000)} s`);
      return;
    }
    allocation.timer = this.o.timers.setTimeout(() => this.checkIdle(key), this.idleMs - idle);
  }
}
