/**
 * The live connections: one Session per socket, the linger guard for sockets the server
 * has ended, and the graceful-then-forced shutdown.
 */
import type net from 'node:net';
import type { TimerGroup } from '../util/timer-group.js';
import type { ServerContext } from './context.js';
import { PushEncoder, plainAddress, Session } from './session.js';

/** How long a closed session's socket may linger half-open before it is destroyed. */
const LINGER_MS = 2000;
/** How long shutdown lets clients read their bye before cutting connections. */
const SHUTDOWN_GRACE_MS = 500;

/** Owns every socket the server accepted until it closes. */
export class Connections {
  private readonly sessions = new Set<Session>();
  private readonly sockets = new Set<net.Socket>();
  private nextId = 1;
  private readonly pushes = new PushEncoder();

  constructor(
    private readonly ctx: ServerContext,
    private readonly timers: TimerGroup,
    /** Time to finish logging in; 0 = no limit. */
    private readonly loginTimeoutMs = 0,
  ) {}

  accept(socket: net.Socket): void {
    // Counted on the raw socket, before any TLS work, so a flood from one address costs little.
    const address = plainAddress(socket.remoteAddress);
    if (!this.ctx.limits.acquire(address)) {
      this.ctx.logger.debug('connection refused: per-address cap', { address });
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.ctx.limits.release(address);
    });
    const session = new Session({
      id: this.nextId++,
      socket,
      ctx: this.ctx,
      pushes: this.pushes,
      ...(this.loginTimeoutMs > 0
        ? { loginTimeout: { timers: this.timers, ms: this.loginTimeoutMs } }
        : {}),
      onClosed: (closed) => {
        this.sessions.delete(closed);
        if (socket.closed) return;
        // A client that ignores our FIN must not hold the socket forever.
        const linger = this.timers.setTimeout(() => socket.destroy(), LINGER_MS);
        socket.once('close', () => this.timers.clear(linger));
      },
    });
    this.sessions.add(session);
    this.ctx.logger.debug('connection', { session: session.id, address: session.address });
  }

  /** Says bye to every session, waits briefly for clients to hang up, then cuts the rest. */
  async shutdown(reason: string): Promise<void> {
    for (const session of [...this.sessions]) session.shutdown(reason);
    // Real time on purpose: a server closed under a test's manual clock must still finish.
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.sockets].map(onceClosed)),
      new Promise<void>((resolve) => {
        grace = setTimeout(resolve, SHUTDOWN_GRACE_MS);
      }),
    ]);
    clearTimeout(grace);
    for (const socket of this.sockets) socket.destroy();
  }
}

function onceClosed(socket: net.Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}
