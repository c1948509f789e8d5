/**
 * Server wiring: reads credentials, prepares the log folder, builds the state owners and
 * accepts connections. Behaviour lives in session.ts, the handlers and the owners.
 */
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { ChatStore } from '../store/store.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { TimerGroup } from '../util/timer-group.js';
import { AddressLimits } from './address-limits.js';
import { Authenticator, Lockout } from './auth.js';
import { Blocks } from './blocks.js';
import { type ClusterConfig, type ClusterParts, joinCluster } from './cluster/join.js';
import { Connections } from './connections.js';
import type { ServerContext } from './context.js';
import { loadCredentials, malformedLineText } from './credentials.js';
import { CredentialsFile } from './credentials-file.js';
import { CredentialsReloader } from './credentials-reload.js';
import { IdleWatch } from './idle.js';
import { LastSeenWriter } from './last-seen.js';
import { escapeLogText } from './logs/log-text.js';
import { UserLog } from './logs/user-log.js';
import { Presence } from './presence.js';
import { DEFAULT_RELAY_CAPS } from './relay/caps.js';
import type { UdpStats } from './relay/stats.js';
import { UdpSide } from './relay/udp-side.js';
import { openDurableState } from './restore.js';
import { ResumeTickets } from './resume-ticket.js';
import { startError } from './server-error.js';
import { type TlsIdentity, tlsWrapper } from './tls-identity.js';
import { TransferBroker } from './transfers.js';

/** Everything the server needs; the CLI builds it from argv, tests from a temp folder. */
export interface ServerConfig {
  host: string;
  port: number;
  maxAttempts: number;
  credentialsPath: string;
  logDir: string;
  /** Folder of the SQLite database; null or absent: an in-memory database (nothing survives). */
  dataDir?: string | null;
  /** Log out sessions idle this long; default 30 minutes, 0 = never. */
  idleMs?: number;
  /** Login and logout times are written to the store this often; default 1000, 0 = each at once. */
  lastSeenFlushMs?: number;
  /** Cap of one user's offline queue; default 10000. */
  maxQueued?: number;
  /** Unknown usernames may create an account; default false. */
  allowRegister?: boolean;
  /** How long an account stays blocked; default 10000. */
  blockMs?: number;
  /** How long a resume ticket stays valid after the password login; default 12 hours. */
  ticketLifetimeMs?: number;
  /** How long a P2P offer waits for the audience; default 60000. */
  offerTimeoutMs?: number;
  /** Time and timers; tests pass a ManualClock and fire time-outs by advancing it. */
  clock?: Clock;
  logger?: Logger;
  /** Time to finish logging in (TLS handshake included) before the server hangs up; default 30000, 0 = none. */
  loginTimeoutMs?: number;
  /** Open connections per client address; default 64. */
  maxConnectionsPerAddress?: number;
  /** Failed logins per client address per minute; default 20. */
  maxFailedLoginsPerAddress?: number;
  /** TLS 1.3 with this certificate; absent or null: plain TCP (tests, --insecure-plain). */
  tls?: TlsIdentity | null;
  /** The server's SPEC console lines; default console.log. */
  console?: (line: string) => void;
  /**
   * UDP port of binding and the relay, on `host`; default the TCP port actually bound (any
   * free port if that number is taken and the TCP port was 0); null: no UDP side at all.
   */
  udpPort?: number | null;
  /** Relay transfers that find no direct path; default true. */
  relay?: boolean;
  /** Bytes per second one user may send through the relay; default 32 MiB/s. */
  relayUserBytesPerSec?: number;
  /** Bytes per second the relay forwards in total; default 128 MiB/s. */
  relayTotalBytesPerSec?: number;
  /**
   * Join a cluster of nodes sharing one Redis (docs/CLUSTER.md): the shared state lives there,
   * not in `dataDir`'s SQLite. Absent: the node runs alone, as ever.
   */
  cluster?: ClusterConfig | null;
}

/** A running server. */
export interface TessengerServer {
  readonly port: number;
  readonly address: string;
  /** The bound UDP port of binding and the relay; null without a UDP side. */
  readonly udpPort: number | null;
  /** Whether the relay is on (a UDP side and not `relay: false`). */
  readonly relay: boolean;
  /** Counters of the UDP side (live object); null without one. */
  readonly udpStats: UdpStats | null;
  /** Bytes relayed so far for an open relayed transfer. */
  relayCounts(transferId: string): ReturnType<UdpSide['relay']['counts']>;
  /** Ends all sessions, clears every timer and flushes the log files. */
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig): Promise<TessengerServer> {
  const clock = config.clock ?? systemClock;
  const logger = config.logger ?? silentLogger;
  const sink = config.console ?? ((line: string) => console.log(line));
  // One choke point: whatever a user typed (message, file name) cannot break a console line
  // or smuggle terminal escape sequences onto the operator's screen.
  const consoleSink = (line: string): void => sink(escapeLogText(line));

  // Stamped before the read: a change in between is read again at the first login.
  const reloader = new CredentialsReloader(config.credentialsPath, logger, consoleSink);
  await reloader.prime();
  const credentials = await loadCredentials(config.credentialsPath);
  try {
    await mkdir(config.logDir, { recursive: true });
  } catch (err) {
    throw startError(`Cannot prepare the log folder ${config.logDir}`, err);
  }
  const timers = new TimerGroup(clock);
  let cluster: ClusterParts | null = null;
  let store: ChatStore;
  if (config.cluster) {
    cluster = await joinCluster(config.cluster, {
      clock,
      timers,
      logger,
      maxQueued: config.maxQueued,
    });
    store = cluster.store;
  } else {
    try {
      store = openSqliteStore(config.dataDir ?? null, config.maxQueued);
    } catch (err) {
      throw startError(`Cannot open the database in ${config.dataDir}`, err);
    }
  }
  let state: Awaited<ReturnType<typeof openDurableState>>;
  try {
    state = await openDurableState(store, config.logDir);
  } catch (err) {
    await store.close();
    await cluster?.leave();
    throw startError(
      `Cannot restore the state from ${cluster ? 'Redis' : (config.dataDir ?? 'memory')}`,
      err,
    );
  }
  let tickets: ResumeTickets;
  try {
    tickets = await ResumeTickets.open({
      dataDir: config.dataDir ?? null,
      clock,
      ...(config.ticketLifetimeMs !== undefined ? { lifetimeMs: config.ticketLifetimeMs } : {}),
      ...(cluster ? { sharedKey: await cluster.ticketKey() } : {}),
    });
    if (cluster) await cluster.shareRevocations(tickets);
  } catch (err) {
    await store.close();
    await cluster?.leave();
    throw startError(`Cannot read the ticket key in ${config.dataDir}`, err);
  }
  const { messageLog, groups, snapshot } = state;
  for (const line of state.repairs) logger.warn(line);
  const userLog = new UserLog(config.logDir);
  const credentialsFile = new CredentialsFile(config.credentialsPath);
  const lockout = new Lockout({
    maxAttempts: config.maxAttempts,
    blockMs: config.blockMs ?? 10_000,
    clock,
  });
  const presence = new Presence(snapshot.lastSeen);
  const lastSeen = new LastSeenWriter(
    presence.lastSeen,
    store,
    timers,
    logger,
    config.lastSeenFlushMs ?? 1000,
  );
  const udp =
    config.udpPort === null
      ? null
      : new UdpSide({
          relay: config.relay ?? true,
          caps: {
            userBytesPerSec: config.relayUserBytesPerSec ?? DEFAULT_RELAY_CAPS.userBytesPerSec,
            totalBytesPerSec: config.relayTotalBytesPerSec ?? DEFAULT_RELAY_CAPS.totalBytesPerSec,
          },
          clock,
          timers,
          logger,
        });
  const ctx: ServerContext = {
    clock,
    logger,
    console: consoleSink,
    auth: new Authenticator(credentials, lockout, () => reloader.changed()),
    tickets,
    limits: new AddressLimits({
      clock,
      ...(config.maxConnectionsPerAddress !== undefined
        ? { maxConnections: config.maxConnectionsPerAddress }
        : {}),
      ...(config.maxFailedLoginsPerAddress !== undefined
        ? { maxFailedLogins: config.maxFailedLoginsPerAddress }
        : {}),
    }),
    presence,
    groups,
    userLog,
    messageLog,
    transfers: new TransferBroker(timers, config.offerTimeoutMs ?? 60_000, {
      relay: udp?.relayEnabled ?? false,
      onForget: (transferId, reason) => udp?.transferForgotten(transferId, reason),
    }),
    udp,
    store,
    blocks: new Blocks(store, snapshot.blocks),
    idle: new IdleWatch(config.idleMs ?? 30 * 60_000, clock, timers, (session) => {
      const user = (session as { user?: { username: string } | null }).user;
      if (user) consoleSink(`${user.username} logged out after being idle`);
    }),
    lastSeen,
    cluster: cluster?.bridge ?? null,
    allowRegister: config.allowRegister ?? false,
    addCredentials: (username, stored) => credentialsFile.add(username, stored),
  };
  if (cluster) {
    try {
      await cluster.start(ctx);
    } catch (err) {
      await store.close();
      await cluster.leave();
      throw startError('Cannot join the cluster', err);
    }
  }
  const connections = new Connections(ctx, timers, config.loginTimeoutMs ?? 30_000);
  const wrap = config.tls ? tlsWrapper(config.tls) : null;
  // Connections that arrive before the UDP side is bound wait, so every login gets its grant.
  let early: net.Socket[] | null = [];
  const accept = (socket: net.Socket): void => connections.accept(wrap ? wrap(socket) : socket);
  const server = net.createServer((socket) => (early ? early.push(socket) : accept(socket)));

  await listen(server, config.host, config.port);
  // Emptied only now that the port is ours: a second server started by mistake on a busy
  // port must not wipe the running one's file. Queued before any login can append (no I/O
  // callback runs between listening and this line), so no login line is lost.
  const emptied = userLog.reset();
  server.on('error', (err) => logger.error('server error', { error: err.message }));
  const bound = server.address() as net.AddressInfo;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of early ?? []) socket.destroy();
      early = null;
      await connections.shutdown('server shutting down');
      await stopped;
      await cluster?.stop();
      await udp?.close();
      timers.clearAll();
      await lastSeen.flush();
      const logs = [userLog, messageLog, ...[...groups.all()].map((g) => g.log)];
      await Promise.all(logs.map((log) => log.flush()));
      await store.close();
      await cluster?.leave();
    })();
    return closing;
  };

  try {
    await emptied;
  } catch (err) {
    await close();
    throw startError(`Cannot write ${config.logDir}/userlog.txt`, err);
  }
  if (udp) {
    try {
      await bindUdp(udp, config, bound.port);
    } catch (err) {
      await close();
      throw err;
    }
  }
  const waiting = early ?? [];
  early = null;
  for (const socket of waiting) accept(socket);
  // Reported once the server is surely up, so a failed start prints only its reason.
  for (const line of credentials.malformed) {
    const text = malformedLineText(line);
    logger.warn(text);
    consoleSink(text);
  }
  logger.info('listening', { address: bound.address, port: bound.port, udpPort: udp?.port });
  return {
    port: bound.port,
    address: bound.address,
    udpPort: udp ? udp.port : null,
    relay: udp?.relayEnabled ?? false,
    udpStats: udp ? udp.stats : null,
    relayCounts: (transferId) => udp?.relay.counts(transferId),
    close,
  };
}

/**
 * The UDP side on the configured port, or on the TCP port's number. A TCP port of 0 asked for
 * any free port: if that number is taken for UDP, any free UDP port will do as well.
 */
async function bindUdp(udp: UdpSide, config: ServerConfig, tcpPort: number): Promise<void> {
  const port = config.udpPort ?? tcpPort;
  try {
    await udp.bind(config.host, port);
  } catch (err) {
    const anyPort = config.udpPort === undefined && config.port === 0;
    if (!anyPort || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    await udp.bind(config.host, 0);
  }
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
