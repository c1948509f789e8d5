/**
 * The transfer engine: one UDP socket, many transfers in both directions, routed by the
 * header's direction and transfer tag. Datagrams that are garbage, for an unknown transfer or
 * from an unexpected address are dropped and counted here; authentication, replay and
 * protocol checks happen in the transfer's channel. Nothing unauthenticated is ever answered.
 */
import os from 'node:os';
import { type Clock, monotonicClock } from '../util/clock.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { TransferError, TransferErrorCode } from './errors.js';
import { type RateCapOptions, RateCaps } from './net/rate-cap.js';
import {
  bindUdpSocket,
  canonicalAddress,
  type DatagramSocket,
  type Peer,
  type SocketStats,
} from './net/udp-socket.js';
import { isPathPacket } from './path/packet.js';
import { ReceiveTransfer } from './receiver.js';
import { SendTransfer } from './sender.js';
import type { EngineConfig, EngineContext, TransferBase } from './transfer-base.js';
import type {
  PathChannel,
  ReceiveOptions,
  SendOptions,
  TransferEngine,
  TransferKeyPair,
} from './types.js';
import { createKeyPair } from './wire/crypto.js';
import { decodeHeader } from './wire/datagram.js';

/** Chunk payload on loopback, where datagrams never fragment on a wire. */
export const LOOPBACK_CHUNK = 60 * 1024;
/** Elsewhere: fits a 1280-byte IPv6 minimum MTU with headers, so nothing fragments. */
export const PATH_CHUNK = 1200;
export const MAX_CHUNK = 65_000;

export interface EngineOptions {
  port: number;
  host?: string;
  logger?: Logger;
  /** Time and timers in ms; a monotonic high-resolution one by default, a ManualClock in tests. */
  clock?: Clock;
  chunkSize?: number;
  stallTimeoutMs?: number;
  lingerMs?: number;
  progressIntervalMs?: number;
  maxPendingWriteBytes?: number;
  /** fsync a received file before it is renamed into place (default false). */
  fsync?: boolean;
  /**
   * Hash received files on a shared helper thread. Default: only with more than two CPUs. On
   * two, the helper competes with the sending and receiving threads for the same cores: in
   * paired runs it added ~150 ms CPU per 200 MiB and no goodput (docs/TRANSFER.md).
   */
  hashThread?: boolean;
  /** Per-peer and junk rate caps (src/transfer/rate-cap.ts); generous defaults. */
  rateCaps?: Partial<RateCapOptions>;
}

/** Engine-wide drop counters, readable by tests. */
export interface EngineStats extends SocketStats {
  malformed: number;
  unknownTransfer: number;
  badAddress: number;
}

export interface UdpTransferEngine extends TransferEngine {
  /** Path packets share the socket: binding, probes and relay allocations. */
  readonly path: PathChannel;
  readonly stats: EngineStats;
  /** The rate caps and their counters. */
  readonly rateCaps: RateCaps;
  send(options: SendOptions): SendTransfer;
  receive(options: ReceiveOptions): ReceiveTransfer;
}

/** Binds the engine's socket and returns the engine. Rejects naming the port if bind fails. */
export async function createTransferEngine(options: EngineOptions): Promise<UdpTransferEngine> {
  const stats: EngineStats = { malformed: 0, unknownTransfer: 0, badAddress: 0, sendErrors: 0 };
  const socket = await bindUdpSocket({ port: options.port, host: options.host, stats });
  return createEngineOnSocket(socket, options, stats);
}

/** The engine over any DatagramSocket (a fake or a proxy in tests). */
export function createEngineOnSocket(
  socket: DatagramSocket,
  options: Omit<EngineOptions, 'port' | 'host'>,
  stats: EngineStats = { malformed: 0, unknownTransfer: 0, badAddress: 0, sendErrors: 0 },
): UdpTransferEngine {
  const config: EngineConfig = {
    chunkSize: options.chunkSize,
    stallTimeoutMs: options.stallTimeoutMs ?? 15_000,
    lingerMs: options.lingerMs ?? 10_000,
    progressIntervalMs: options.progressIntervalMs ?? 200,
    maxPendingWriteBytes: options.maxPendingWriteBytes ?? 32 * 1024 * 1024,
    fsync: options.fsync ?? false,
    hashThread: options.hashThread ?? os.availableParallelism() > 2,
  };
  const routes = new Map<string, TransferBase>();
  const background = new Set<{ stop(): void }>();
  let closed = false;
  const clock = options.clock ?? monotonicClock;
  const caps = new RateCaps(options.rateCaps, clock, (from) => {
    for (const t of routes.values()) if (samePeer(from, t.peer)) return true;
    return false;
  });
  const ctx: EngineContext = {
    socket: caps.guardReplies(socket),
    clock,
    logger: options.logger ?? silentLogger,
    config,
    background,
    activeParts: new Set(),
    unregister(transfer) {
      if (routes.get(transfer.routeKey) === transfer) routes.delete(transfer.routeKey);
    },
  };

  let onPath: ((packet: Buffer, from: Peer) => boolean) | null = null;
  socket.onMessage((datagram, from) => {
    if (!caps.examine(from)) return;
    if (isPathPacket(datagram)) {
      if (!onPath?.(datagram, from)) {
        stats.malformed++;
        caps.junk(from);
      }
      return;
    }
    const header = decodeHeader(datagram);
    if (!header.ok) {
      stats.malformed++;
      caps.junk(from);
      return;
    }
    const { direction, tag } = header.value;
    const transfer = routes.get(`${direction}:${tag.toString('hex')}`);
    if (!transfer) {
      stats.unknownTransfer++;
      caps.junk(from);
      return;
    }
    if (!samePeer(from, transfer.peer)) {
      stats.badAddress++;
      transfer.stats.badAddress++;
      caps.junk(from);
      return;
    }
    if (!caps.admitPeer(from)) return;
    const authentic = transfer.stats.datagramsReceived;
    transfer.handle(header.value, datagram);
    caps.settle(from, datagram.length, transfer.stats.datagramsReceived > authentic);
  });

  const register = <T extends TransferBase>(transfer: T, start: () => Promise<void>): T => {
    if (closed) {
      transfer.cancel('engine closed');
    } else if (routes.has(transfer.routeKey)) {
      // Fails the newcomer only; the running transfer that owns this id goes on.
      const why = `transfer ${transfer.transferId} is already running in this direction`;
      transfer.terminate(new TransferError(TransferErrorCode.Duplicate, why));
    } else {
      routes.set(transfer.routeKey, transfer);
      void start();
    }
    return transfer;
  };

  // A datagram must fit UDP's 65 507 bytes with the 44 bytes of header, tag and DATA prefix.
  const chunkFor = (peer: Peer): number =>
    config.chunkSize
      ? Math.min(MAX_CHUNK, Math.max(1, Math.floor(config.chunkSize)))
      : isLoopback(peer.address)
        ? LOOPBACK_CHUNK
        : PATH_CHUNK;

  return {
    port: socket.port,
    path: {
      ipv6: socket.ipv6 === true,
      clock,
      send(packet, to) {
        socket.send([packet], to.port, to.address);
      },
      onPacket(handler) {
        onPath = handler;
      },
    },
    stats,
    rateCaps: caps,
    createKeyPair(): TransferKeyPair {
      return createKeyPair();
    },
    send(sendOptions) {
      const transfer = new SendTransfer(ctx, sendOptions, chunkFor(sendOptions.peer));
      return register(transfer, () => transfer.start());
    },
    receive(receiveOptions) {
      const transfer = new ReceiveTransfer(ctx, receiveOptions);
      return register(transfer, () => transfer.start());
    },
    async close() {
      if (closed) return;
      closed = true;
      const all = [...routes.values()];
      for (const t of all) t.shutdown('engine closed');
      for (const work of [...background]) work.stop();
      await Promise.all(all.map((t) => t.cleanup));
      await socket.close();
    },
  };
}

function samePeer(from: Peer, peer: Peer): boolean {
  return (
    from.port === peer.port && canonicalAddress(from.address) === canonicalAddress(peer.address)
  );
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === 'localhost' || address === '::1';
}

export { TransferError, TransferErrorCode };
