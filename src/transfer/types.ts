/**
 * The seam between the client core and the UDP transfer engine.
 * The client core only knows these types; the engine owns everything below them.
 */
import type { EventEmitter } from 'node:events';
import type { Endpoint } from '../protocol/control.js';
import type { Clock } from '../util/clock.js';

/** An ephemeral X25519 key pair for one transfer; publicKey is raw 32 bytes, base64. */
export interface TransferKeyPair {
  publicKey: string;
  /** Opaque to callers; only the engine reads it. */
  privateKey: unknown;
}

export interface TransferProgress {
  transferId: string;
  bytes: number;
  total: number;
  /** Bytes per second, smoothed. */
  rate: number;
  /** Seconds left at the current rate; null when unknown. */
  eta: number | null;
}

export interface SendOptions {
  transferId: string;
  peer: Endpoint;
  filePath: string;
  size: number;
  sha256: string;
  keys: TransferKeyPair;
  remotePublicKey: string;
}

export interface ReceiveOptions {
  transferId: string;
  peer: Endpoint;
  /** Folder the file lands in; the engine never writes outside it. */
  dir: string;
  /** Wanted final name (already sanitised); `-1`, `-2`... are added before the extension if taken. */
  fileName: string;
  size: number;
  sha256: string;
  keys: TransferKeyPair;
  remotePublicKey: string;
  /** Optional sink fed in-order bytes while receiving (a video player's stdin). */
  stream?: NodeJS.WritableStream;
}

export interface TransferResult {
  transferId: string;
  bytes: number;
  /** Receiver: the path the verified file was saved under. */
  path?: string;
  /** Bytes actually carried this time (less than bytes after a resume). */
  sentBytes?: number;
  elapsedMs: number;
}

/**
 * One running transfer. Emits 'progress' (TransferProgress); a receiver that found an earlier
 * attempt's bytes on disk emits 'resumed' ({ bytes }) before the sender is told.
 */
export interface Transfer extends EventEmitter {
  readonly transferId: string;
  readonly direction: 'send' | 'receive';
  /** Resolves once the receiver has verified the SHA-256; rejects with a TransferError. */
  readonly done: Promise<TransferResult>;
  cancel(reason?: string): void;
}

/**
 * The engine socket's share for path packets (src/transfer/path/): first byte 0x50. The
 * handler returns false for a packet it could not authenticate, which counts as junk.
 */
export interface PathChannel {
  send(packet: Buffer, to: Endpoint): void;
  onPacket(handler: (packet: Buffer, from: Endpoint) => boolean): void;
  /** Whether IPv6 peers can be reached from this socket. */
  readonly ipv6: boolean;
  /** The engine's clock: retries, probes and keep-alives run on it (a ManualClock in tests). */
  readonly clock: Clock;
}

/** The engine a client holds: one UDP socket, many transfers. */
export interface TransferEngine {
  /** Local UDP port the engine listens on. */
  readonly port: number;
  /** Path packets share the socket; absent on engines without one (test fakes). */
  readonly path?: PathChannel;
  createKeyPair(): TransferKeyPair;
  send(options: SendOptions): Transfer;
  receive(options: ReceiveOptions): Transfer;
  close(): Promise<void>;
}
