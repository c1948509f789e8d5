/**
 * The client's control connection: framing, request ids, replies matched to requests, pushes.
 * Knows nothing of commands or of how things are shown.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import {
  decodeServerFrame,
  PROTOCOL_VERSION,
  type PushEvent,
  type ReplyData,
  type RequestOf,
  type RequestType,
} from '../protocol/control.js';
import { type ErrorCode, ProtocolError } from '../protocol/errors.js';
import { encodeFrame, LineDecoder } from '../protocol/frame.js';
import { type Clock, systemClock, type TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { type ControlSecurity, openSecureSocket, PLAIN } from './secure-socket.js';

/** How long the plain probe waits for the server's answer. */
const PROBE_MS = 10_000;

interface Pending {
  resolve(data: unknown): void;
  reject(error: Error): void;
}

export interface ConnectionEvents {
  push: [PushEvent];
  close: [Error | undefined];
}

/** A refused request; `retryAfterMs` is set when the server says when to try again (lock-out). */
export class ReplyError extends ProtocolError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(code, message);
  }
}

/** Error raised when the server cannot be reached or the link drops. */
export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ConnectionError';
  }
}

export class Connection extends EventEmitter<ConnectionEvents> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new LineDecoder();
  private closed = false;

  private constructor(
    private readonly socket: net.Socket,
    private readonly logger: Logger,
  ) {
    super();
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.logger.debug('control socket error', { err: err.message }));
    socket.on('close', () => this.onClose());
  }

  /** The server's address as this connection reached it (its UDP side is there too). */
  get remoteAddress(): string {
    return this.socket.remoteAddress ?? '';
  }

  /** Opens a connection; rejects with a ConnectionError naming the address on failure. */
  static open(
    host: string,
    port: number,
    logger: Logger,
    security: ControlSecurity = PLAIN,
    /** Times the plain probe; a test passes a ManualClock. */
    clock: Clock = systemClock,
  ): Promise<Connection> {
    if (security.tls) {
      return openSecureSocket(host, port, security).then(
        (socket) => new Connection(socket, logger),
        (err: NodeJS.ErrnoException & { system?: unknown }) => {
          // The pin refusal is a whole paragraph; the rest read like the plain case.
          const text =
            err.code === 'ESERVERCHANGED'
              ? err.message
              : `Cannot connect to the server at ${host}:${port}: ${netFailure(err) ? describeNetError(err) : err.message}`;
          throw new ConnectionError(text, err.code ?? 'ECONNECT');
        },
      );
    }
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.setNoDelay(true);
      const onError = (err: NodeJS.ErrnoException) => {
        reject(
          new ConnectionError(
            `Cannot connect to the server at ${host}:${port}: ${describeNetError(err)}`,
            err.code ?? 'ECONNECT',
          ),
        );
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        const connection = new Connection(socket, logger);
        if (!security.probe) return resolve(connection);
        connection.probePlain(`${host}:${port}`, clock).then(() => resolve(connection), reject);
      });
    });
  }

  /** A plain ping answered proves a plain server; a TLS server drops the connection instead. */
  private async probePlain(server: string, clock: Clock): Promise<void> {
    let timer: TimerHandle | undefined;
    const silent = new Promise<never>((_, reject) => {
      timer = clock.setTimeout(() => reject(new Error('no answer')), PROBE_MS);
    });
    try {
      await Promise.race([this.request({ type: 'ping' }), silent]);
    } catch (err) {
      if (err instanceof ReplyError) return; // It answered in our protocol: a plain server.
      this.socket.destroy();
      throw new ConnectionError(
        `The server at ${server} did not answer in plain text: it probably uses TLS (the default). Start the client without --insecure-plain.`,
        'EPLAINTOTLS',
      );
    } finally {
      if (timer) clock.clear(timer);
    }
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Sends a request; resolves with the reply's data or rejects with a ProtocolError. */
  request<T extends RequestType>(req: RequestOf<T>): Promise<ReplyData[T]> {
    if (this.closed) {
      return Promise.reject(new ConnectionError('Not connected to the server', 'ECLOSED'));
    }
    const id = this.nextId++;
    return new Promise<ReplyData[T]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (d: unknown) => void, reject });
      this.socket.write(encodeFrame({ v: PROTOCOL_VERSION, id, ...req }));
    });
  }

  close(): void {
    this.socket.end();
    this.socket.destroySoon();
  }

  private onData(chunk: Buffer): void {
    for (const event of this.decoder.push(chunk)) {
      if (event.kind === 'error') {
        this.logger.warn('bad frame from server', { detail: event.detail });
        if (this.decoder.broken) this.socket.destroy();
        continue;
      }
      const decoded = decodeServerFrame(event.value);
      if (!decoded.ok) {
        this.logger.warn('invalid frame from server', { detail: decoded.message });
        continue;
      }
      const frame = decoded.value;
      if (frame.type === 'push') {
        this.emit('push', frame.event);
        continue;
      }
      const waiter = this.pending.get(frame.id);
      if (!waiter) {
        // id 0 is the server's answer to a frame it could not read at all.
        if (frame.type === 'error') this.logger.warn('server error', { message: frame.message });
        continue;
      }
      this.pending.delete(frame.id);
      if (frame.type === 'ok') waiter.resolve(frame.data ?? {});
      else {
        // The server may add fields to an error frame; only the lock-out's wait is used here.
        const retry = (frame as { retryAfterMs?: unknown }).retryAfterMs;
        const retryAfterMs = typeof retry === 'number' && retry >= 0 ? retry : undefined;
        waiter.reject(new ReplyError(frame.code as ErrorCode, frame.message, retryAfterMs));
      }
    }
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    const error = new ConnectionError('Connection to the server was lost', 'ECLOSED');
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
    this.emit('close', error);
  }
}

function describeNetError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return err.message;
  }
}

/** A socket-level failure (refused, unreachable), as opposed to a TLS or pinning one. */
function netFailure(err: NodeJS.ErrnoException & { system?: unknown }): boolean {
  return err.system !== undefined && /^E[A-Z]+$/.test(err.code ?? '');
}
