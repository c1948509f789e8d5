/**
 * Server wiring: reads credentials, prepares the log folder, builds the state owners and
 * accepts connections. Behaviour lives in session.ts, the handlers and the owners.
 */
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import { type Clock, systemClock } from '../util/clock.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { Authenticator, Lockout } from './auth.js';
import type { ServerContext } from './context.js';
import { loadCredentials, malformedLineText } from './credentials.js';
import { Groups } from './groups.js';
import { type NumberedLog, openMessageLog } from './logs/message-log.js';
import { UserLog } from './logs/user-log.js';
import { Presence } from './presence.js';
import { startError } from './server-error.js';
import { Session } from './session.js';
import { realTimers, TimerGroup, type Timers } from './timers.js';
import { TransferBroker } from './transfers.js';

export interface ServerConfig {
  host: string;
  port: number;
  maxAttempts: number;
  credentialsPath: string;
  logDir: string;
  /** How long an account stays blocked; default 10000. */
  blockMs?: number;
  /** How long a P2P offer waits for the audience; default 60000. */
  offerTimeoutMs?: number;
  clock?: Clock;
  /** Timer source; tests pass a fake to fire time-outs by hand. */
  timers?: Timers;
  logger?: Logger;
  /** The server's SPEC console lines; default console.log. */
  console?: (line: string) => void;
}

/** A running server. */
export interface TessengerServer {
  readonly port: number;
  readonly address: string;
  /** Ends all sessions, clears every timer and flushes the log files. */
  close(): Promise<void>;
}

/** How long a closed session's socket may linger half-open before it is destroyed. */
const LINGER_MS = 2000;
/** How long close() lets clients read their bye before cutting connections. */
const SHUTDOWN_GRACE_MS = 500;

export async function startServer(config: ServerConfig): Promise<TessengerServer> {
  const clock = config.clock ?? systemClock;
  const logger = config.logger ?? silentLogger;
  const consoleSink = config.console ?? ((line: string) => console.log(line));

  const credentials = await loadCredentials(config.credentialsPath);
  for (const line of credentials.malformed) {
    const text = malformedLineText(line);
    logger.warn(text);
    consoleSink(text);
  }
  let messageLog: NumberedLog;
  const userLog = new UserLog(config.logDir);
  try {
    await mkdir(config.logDir, { recursive: true });
    await userLog.reset();
    messageLog = await openMessageLog(config.logDir);
  } catch (err) {
    throw startError(`Cannot prepare the log folder ${config.logDir}`, err);
  }

  const timers = new TimerGroup(config.timers ?? realTimers);
  const lockout = new Lockout({
    maxAttempts: config.maxAttempts,
    blockMs: config.blockMs ?? 10_000,
    clock,
  });
  const groups = new Groups();
  const ctx: ServerContext = {
    clock,
    logger,
    console: consoleSink,
    logDir: config.logDir,
    auth: new Authenticator(credentials, lockout),
    presence: new Presence(),
    groups,
    userLog,
    messageLog,
    transfers: new TransferBroker(timers, config.offerTimeoutMs ?? 60_000),
  };

  const sessions = new Set<Session>();
  const sockets = new Set<net.Socket>();
  let nextId = 1;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const session = new Session({
      id: nextId++,
      socket,
      ctx,
      onClosed: (closed) => {
        sessions.delete(closed);
        if (socket.closed) return;
        // A client that ignores our FIN must not hold the socket forever.
        const linger = timers.set(() => socket.destroy(), LINGER_MS);
        socket.once('close', () => timers.clear(linger));
      },
    });
    sessions.add(session);
    socket.once('close', () => sockets.delete(socket));
    logger.debug('connection', { session: session.id, address: session.address });
  });
  server.on('error', (err) => logger.error('server error', { error: err.message }));

  await listen(server, config.host, config.port);
  const bound = server.address() as net.AddressInfo;
  logger.info('listening', { address: bound.address, port: bound.port });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of [...sessions]) session.shutdown('server shutting down');
      // Give clients a moment to read the bye, then cut whatever is left.
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([...sockets].map((s) => onceClosed(s))),
        new Promise<void>((resolve) => {
          grace = setTimeout(resolve, SHUTDOWN_GRACE_MS);
        }),
      ]);
      clearTimeout(grace);
      for (const socket of sockets) socket.destroy();
      await stopped;
      timers.clearAll();
      await Promise.all([userLog.flush(), messageLog.flush(), ...groupFlushes(groups)]);
    })();
    return closing;
  };

  return { port: bound.port, address: bound.address, close };
}

function groupFlushes(groups: Groups): Promise<void>[] {
  return [...groups.all()].map((g) => g.log.flush());
}

function onceClosed(socket: net.Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/** Listens, or rejects with a clear message and the system error's code kept. */
function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (cause: Error): void => {
      reject(startError(`Cannot listen on ${host}:${port}`, cause));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
