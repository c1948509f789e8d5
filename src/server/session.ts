/**
 * One client connection: awaiting-login → active → closed. Frames in through a capped
 * LineDecoder and the schema check; replies, errors and pushes out. Client input never
 * throws past this class.
 */
import type { Socket } from 'node:net';
import type { PushEvent, Request } from '../protocol/control.js';
import { decodeClientFrame, PROTOCOL_VERSION } from '../protocol/control.js';
import { ErrorCode, ProtocolError } from '../protocol/errors.js';
import { frameText, LineDecoder } from '../protocol/frame.js';
import {
  type MessageEvent,
  messagePushText,
  okReplyText,
  pushFrameText,
} from '../protocol/server-frames.js';
import { StoreUnavailableError } from '../store/store.js';
import type { TimerHandle } from '../util/clock.js';
import type { TimerGroup } from '../util/timer-group.js';
import { BatchedWriter } from './batched-writer.js';
import type { ClientSession, ServerContext } from './context.js';
import { signOut } from './handlers/logout.js';
import type { OnlineUser } from './presence.js';
import { route } from './router.js';
import { ServerError } from './server-error.js';
import { logStoreRefusal, storeRefusalReply } from './store-refusal.js';
import { isTlsHello, PLAIN_SERVER_TEXT } from './tls-identity.js';

/** Requests that do not count as the user being active (the idle time-out ignores them). */
const PASSIVE = new Set<string>(['ping', 'delivered', 'inbox']);

function isPassive(request: Request): boolean {
  // The client's own refresh of the online list (the TUI's pane) is not the user's doing.
  return PASSIVE.has(request.type) || (request.type === 'activeuser' && request.auto === true);
}

export type SessionState = 'awaiting-login' | 'active' | 'closed';

/** Consecutive invalid frames after which the connection is closed. */
export const MAX_BAD_FRAMES = 10;
/** Output a slow reader may leave unread before its connection is dropped. */
export const MAX_PENDING_OUTPUT = 4 * 1024 * 1024;
/** Requests one session may have in progress before the server stops reading from it. */
export const MAX_IN_FLIGHT = 64;

/**
 * The last push encoded, one per server (Connections owns it): a fan-out (a group message, a
 * presence change) pushes one event object to many sessions in one synchronous loop, so it is
 * encoded once, not once per receiver. Forgotten at the next microtask, so an object changed
 * later is encoded afresh.
 */
export class PushEncoder {
  private last: { event: PushEvent; text: string } | null = null;

  text(event: PushEvent): string {
    if (this.last?.event === event) return this.last.text;
    const text = pushFrameText(event);
    if (this.last === null) queueMicrotask(() => (this.last = null));
    this.last = { event, text };
    return text;
  }
}

export interface SessionOptions {
  id: number;
  socket: Socket;
  ctx: ServerContext;
  /** Called once, when the session reaches `closed`. */
  onClosed: (session: Session) => void;
  /** Shared by the server's sessions, so a fan-out encodes its push once. */
  pushes: PushEncoder;
  /** Hang up on a session not logged in after this long (slow or silent clients). */
  loginTimeout?: { timers: TimerGroup; ms: number };
}

/** `::ffff:1.2.3.4` (IPv4 on a dual-stack socket) → `1.2.3.4`. */
export function plainAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** One connection's state machine; the only place client bytes are read. */
export class Session implements ClientSession {
  readonly id: number;
  readonly address: string;
  private stateValue: SessionState = 'awaiting-login';
  private userValue: OnlineUser | null = null;
  private readonly decoder = new LineDecoder();
  private badFrames = 0;
  private firstChunk = true;
  private endPending = false;
  private inFlight = 0;
  private readonly socket: Socket;
  private readonly ctx: ServerContext;
  private readonly onClosed: (session: Session) => void;
  private readonly out: BatchedWriter;
  private readonly pushes: PushEncoder;
  private loginTimer: { timers: TimerGroup; handle: TimerHandle } | null = null;

  constructor(options: SessionOptions) {
    this.id = options.id;
    this.socket = options.socket;
    this.out = new BatchedWriter(this.socket, () => this.checkOutput());
    this.ctx = options.ctx;
    this.onClosed = options.onClosed;
    this.pushes = options.pushes;
    this.address = plainAddress(this.socket.remoteAddress);
    this.socket.setNoDelay(true);
    // Notices peers that vanished without a FIN (power loss, cable pulled) as a logout.
    this.socket.setKeepAlive(true, 30_000);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => {
      this.ctx.logger.debug('connection error', { session: this.id, error: err.message });
    });
    this.socket.on('close', () => this.finish('disconnected'));
    const limit = options.loginTimeout;
    if (limit) {
      const handle = limit.timers.setTimeout(() => {
        this.loginTimer = null;
        this.ctx.logger.debug('login time limit reached', { session: this.id });
        // The linger guard (connections.ts) destroys a socket that does not take the end.
        this.shutdown('You did not log in in time. Please connect again.', ErrorCode.LoginTimeout);
      }, limit.ms);
      this.loginTimer = { timers: limit.timers, handle };
    }
  }

  private clearLoginTimer(): void {
    if (this.loginTimer) this.loginTimer.timers.clear(this.loginTimer.handle);
    this.loginTimer = null;
  }

  get state(): SessionState {
    return this.stateValue;
  }

  get user(): OnlineUser | null {
    return this.userValue;
  }

  admit(user: OnlineUser): void {
    this.userValue = user;
    this.stateValue = 'active';
    this.clearLoginTimer();
  }

  push(event: PushEvent): void {
    this.send(this.pushes.text(event));
  }

  pushMessage(event: MessageEvent): void {
    this.send(messagePushText(event));
  }

  endAfterReply(): void {
    this.endPending = true;
  }

  /** Ends the session from the server side (shutdown): says why, then half-closes. */
  shutdown(reason: string, code?: string): void {
    if (this.stateValue === 'closed') return;
    this.push({ type: 'bye', reason, ...(code !== undefined ? { code } : {}) });
    this.end();
  }

  /** Destroys the socket at once; used when a graceful end did not finish. */
  destroy(): void {
    this.socket.destroy();
    this.finish('destroyed');
  }

  private onData(chunk: Buffer): void {
    if (this.firstChunk) {
      this.firstChunk = false;
      // A TLS client at a plain server: a JSON bye makes its handshake fail at once, with a
      // clear text, instead of waiting out its handshake time-out.
      if (isTlsHello(chunk, this.socket)) {
        this.shutdown(PLAIN_SERVER_TEXT);
        return;
      }
    }
    for (const event of this.decoder.push(chunk)) {
      if (this.stateValue === 'closed') return;
      if (event.kind === 'error') {
        const code = event.code === 'BAD_JSON' ? ErrorCode.BadFrame : ErrorCode.FrameTooLarge;
        this.sendError(0, code, event.detail);
        if (code === ErrorCode.FrameTooLarge) {
          // The stream is out of sync; nothing after this can be trusted.
          this.end();
          return;
        }
        this.countBadFrame();
        continue;
      }
      const decoded = decodeClientFrame(event.value);
      if (!decoded.ok) {
        this.sendError(decoded.id ?? 0, decoded.code, decoded.message);
        this.countBadFrame();
        continue;
      }
      this.badFrames = 0;
      // The frame itself is the request: handlers read their fields and ignore `v` and `id`
      // (no copy without them per request).
      const request: Request = decoded.value;
      // Requests a client sends by itself (liveness, receipts, the inbox) are not activity.
      if (this.userValue !== null && !isPassive(request)) this.ctx.idle.touch(this);
      void this.handle(decoded.value.id, request);
    }
  }

  private countBadFrame(): void {
    this.badFrames += 1;
    if (this.badFrames >= MAX_BAD_FRAMES) {
      this.ctx.logger.warn('too many bad frames, closing', { session: this.id });
      this.end();
    }
  }

  private async handle(id: number, request: Request): Promise<void> {
    // Backpressure: a client flooding requests (each waiting on a log write, say) is simply
    // not read until some finish, so neither the write queues nor memory grow without bound.
    this.inFlight += 1;
    if (this.inFlight === MAX_IN_FLIGHT) this.socket.pause();
    try {
      const data = await route(this.ctx, this, request);
      this.send(okReplyText(id, data));
    } catch (err) {
      if (err instanceof ProtocolError) {
        const extra = err instanceof ServerError ? err.extra : {};
        this.sendError(id, err.code, err.message, extra);
      } else if (err instanceof StoreUnavailableError) {
        // Nothing of the request was stored: say why (disk full, database away), per request.
        logStoreRefusal(this.ctx.logger, this.ctx.store, err, request.type);
        const reply = storeRefusalReply(request.type, err);
        this.sendError(id, reply.code, reply.message);
      } else {
        this.ctx.logger.error('handler failed', {
          session: this.id,
          type: request.type,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        });
        this.sendError(id, ErrorCode.Internal, 'Internal server error. Please try again.');
      }
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === MAX_IN_FLIGHT - 1 && this.stateValue !== 'closed') this.socket.resume();
    }
    if (this.endPending) this.end();
  }

  private sendError(
    id: number,
    code: string,
    message: string,
    extra: Record<string, unknown> = {},
  ): void {
    this.write({ ...extra, v: PROTOCOL_VERSION, id, type: 'error', code, message });
  }

  private write(frame: object): void {
    this.send(frameText(frame));
  }

  /** Queues an encoded frame; it goes out with the rest of this turn's output. */
  private send(text: string): void {
    if (this.stateValue === 'closed' || !this.socket.writable) return;
    this.out.write(text);
  }

  private checkOutput(): void {
    if (this.socket.writableLength > MAX_PENDING_OUTPUT) {
      this.ctx.logger.warn('client not reading, dropping connection', {
        session: this.id,
        pending: this.socket.writableLength,
      });
      this.destroy();
    }
  }

  /** Half-closes after pending output; the session is over for the server at once. */
  private end(): void {
    this.out.flush();
    this.socket.end();
    this.finish('ended');
  }

  private finish(reason: string): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.clearLoginTimer();
    this.ctx.logger.debug('session closed', { session: this.id, reason });
    try {
      void signOut(this.ctx, this);
    } finally {
      this.onClosed(this);
    }
  }
}
