/**
 * One transfer's secure datagram channel: seals outgoing messages under this side's key with a
 * fresh sequence number, and opens incoming ones (authenticate, then anti-replay, then decode),
 * counting every drop.
 */

import type { DatagramSocket, Peer } from '../net/udp-socket.js';
import type { DirectionKeys } from './crypto.js';
import { open, seal } from './crypto.js';
import { type Direction, encodeHeader, type Header, MessageType } from './datagram.js';
import {
  DATA_PREFIX_BYTES,
  decodeMessage,
  encodeDataPrefix,
  encodeMessage,
  type Message,
} from './messages.js';
import { ReplayWindow } from './replay-window.js';

/** Per-transfer counters, readable by tests as `transfer.stats`. */
export interface TransferStats {
  datagramsSent: number;
  datagramsReceived: number;
  /** Chunk payload bytes put on the wire, resends included. */
  wireDataBytes: number;
  retransmits: number;
  timeouts: number;
  fastLosses: number;
  duplicates: number;
  authFailures: number;
  replays: number;
  malformed: number;
  badAddress: number;
  /** Chunks dropped because too many writes were pending (resent later). */
  writeBackpressure: number;
}

export function newTransferStats(): TransferStats {
  return {
    datagramsSent: 0,
    datagramsReceived: 0,
    wireDataBytes: 0,
    retransmits: 0,
    timeouts: 0,
    fastLosses: 0,
    duplicates: 0,
    authFailures: 0,
    replays: 0,
    malformed: 0,
    badAddress: 0,
    writeBackpressure: 0,
  };
}

export class SecureChannel {
  private seq = 0;
  private readonly replay = new ReplayWindow();

  constructor(
    private readonly socket: DatagramSocket,
    readonly peer: Peer,
    private readonly tag: Buffer,
    private readonly outDirection: Direction,
    private readonly keys: DirectionKeys,
    private readonly stats: TransferStats,
  ) {}

  send(message: Message): void {
    this.emit(message.type, [encodeMessage(message)]);
  }

  /** DATA without copying the chunk; returns the datagram's sequence number. */
  sendData(chunk: number, ts: number, data: Buffer): number {
    this.stats.wireDataBytes += data.length;
    return this.emit(MessageType.Data, [encodeDataPrefix(chunk, ts), data]);
  }

  /** Authenticates, checks replay and decodes; null (and a counter) for anything bad. */
  open(header: Header, datagram: Buffer): Message | null {
    const body = open(this.keys.in, datagram);
    if (!body) {
      this.stats.authFailures++;
      return null;
    }
    if (!this.replay.accept(header.seq)) {
      this.stats.replays++;
      return null;
    }
    const decoded = decodeMessage(header.type, body);
    if (!decoded.ok) {
      this.stats.malformed++;
      return null;
    }
    this.stats.datagramsReceived++;
    return decoded.value;
  }

  private emit(type: Message['type'], parts: Buffer[]): number {
    const seq = this.seq++;
    const header = encodeHeader({ type, direction: this.outDirection, tag: this.tag, seq });
    this.socket.send(seal(this.keys.out, header, parts), this.peer.port, this.peer.address);
    this.stats.datagramsSent++;
    return seq;
  }
}

export { DATA_PREFIX_BYTES };
