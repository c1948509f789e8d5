/**
 * argv → validated, frozen configuration. Pure: no I/O, so every bad input is unit-tested.
 */
import {
  type ClientLimits,
  parseClientLimits,
  parseServerLimits,
  type ServerLimits,
} from './limit-options.js';
import { type PlayerChoice, parsePlayerOption } from './player-command.js';
import { parseRelayOptions, type RelayCliOptions } from './relay-options.js';

export interface ServerCliConfig {
  readonly host: string;
  readonly port: number;
  readonly maxAttempts: number;
  readonly credentialsPath: string;
  readonly logDir: string;
  /** Folder of the server's database. */
  readonly dataDir: string;
  /** Idle sessions are logged out after this many minutes; 0 = never. */
  readonly idleTimeoutMinutes: number;
  readonly allowRegister: boolean;
  /** Plain TCP instead of TLS 1.3 (`--insecure-plain`). */
  readonly insecurePlain: boolean;
  readonly verbose: boolean;
  /** Connection, login and time limits (limit-options.ts). */
  readonly limits: ServerLimits;
  /** UDP port, relay switch and relay caps (relay-options.ts). */
  readonly udp: RelayCliOptions;
  /** `--redis URL [--node-id NAME]`: join a cluster on that Redis; null: run alone on SQLite. */
  readonly cluster: { readonly url: string; readonly nodeId: string } | null;
}

export interface ClientCliConfig {
  readonly serverHost: string;
  readonly serverPort: number;
  readonly udpPort: number;
  readonly plain: boolean;
  readonly downloadDir: string;
  readonly progress: boolean;
  /** `--player [CMD]`: stream incoming files into a video player while they arrive. */
  readonly player: PlayerChoice;
  /** A transfer with no progress for this long fails (STALLED). */
  readonly stallTimeoutMs: number;
  /** Every transfer through the server's relay: peers never learn this client's addresses. */
  readonly relayOnly: boolean;
  /** How long a direct path is tried before the relay. */
  readonly punchTimeoutMs: number;
  /** Plain mode: diagnostics (path, transfer statistics) on stderr. */
  readonly verbose: boolean;
  /** Plain TCP instead of TLS 1.3 (`--insecure-plain`). */
  readonly insecurePlain: boolean;
  /** File of pinned server fingerprints; null: the default in the config folder. */
  readonly knownServersPath: string | null;
  /** File size, free disk and UDP rate limits (limit-options.ts). */
  readonly limits: ClientLimits;
}

export type Parsed<T> = { ok: true; config: T } | { ok: false; error: string };

export const SERVER_USAGE =
  'Usage: tessenger server <server_port> <number_of_consecutive_failed_attempts> [--host HOST] [--credentials PATH] [--log-dir PATH] [--data-dir PATH] [--idle-timeout MINUTES] [--allow-register] [--insecure-plain] [--max-connections-per-address N] [--max-failed-logins-per-minute N] [--login-timeout SECONDS] [--udp-port N] [--no-relay] [--relay-rate-per-user BYTES_PER_SEC] [--relay-rate-total BYTES_PER_SEC]';
export const CLIENT_USAGE =
  'Usage: tessenger client <server_IP> <server_port> <client_udp_server_port> [--plain] [--download-dir PATH] [--player [CMD]] [--known-servers PATH] [--insecure-plain] [--max-file-size SIZE] [--min-free-disk SIZE] [--udp-peer-rate N] [--udp-reply-rate N] [--relay-only] [--punch-timeout SECONDS] [--verbose]';

/** A port from the command line: an integer 0..65535 written in decimal digits only. */
export function parsePort(value: unknown): number | null {
  const text = String(value).trim();
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port <= 65535 ? port : null;
}

export function attemptsError(value: unknown): string {
  return `Invalid number of allowed failed consecutive attempt: ${String(value)}. The valid value of argument number is an integer between 1 and 5`;
}

export function parseServerConfig(argv: {
  server_port: unknown;
  number_of_consecutive_failed_attempts: unknown;
  host?: unknown;
  credentials?: unknown;
  'log-dir'?: unknown;
  'data-dir'?: unknown;
  'idle-timeout'?: unknown;
  'allow-register'?: unknown;
  'insecure-plain'?: unknown;
  verbose?: unknown;
  'max-connections-per-address'?: unknown;
  'max-failed-logins-per-minute'?: unknown;
  'login-timeout'?: unknown;
  'udp-port'?: unknown;
  relay?: unknown;
  'relay-rate-per-user'?: unknown;
  'relay-rate-total'?: unknown;
  redis?: unknown;
  'node-id'?: unknown;
}): Parsed<ServerCliConfig> {
  const port = parsePort(argv.server_port);
  if (port === null) {
    return {
      ok: false,
      error: `Invalid server_port: ${String(argv.server_port)}.\n${SERVER_USAGE}`,
    };
  }
  const attemptsText = String(argv.number_of_consecutive_failed_attempts).trim();
  const attempts = /^\d+$/.test(attemptsText) ? Number(attemptsText) : Number.NaN;
  if (!(attempts >= 1 && attempts <= 5)) {
    return { ok: false, error: attemptsError(argv.number_of_consecutive_failed_attempts) };
  }
  const idleText = String(argv['idle-timeout'] ?? '30').trim();
  const idle = /^\d+(\.\d+)?$/.test(idleText) ? Number(idleText) : Number.NaN;
  if (!(idle >= 0 && idle <= 7 * 24 * 60)) {
    return {
      ok: false,
      error: `Invalid --idle-timeout: ${idleText}. Give minutes from 0 (never) to 10080.\n${SERVER_USAGE}`,
    };
  }
  const limits = parseServerLimits(argv);
  if (typeof limits === 'string') return { ok: false, error: `${limits}\n${SERVER_USAGE}` };
  const udp = parseRelayOptions(argv);
  if (typeof udp === 'string') return { ok: false, error: `${udp}\n${SERVER_USAGE}` };
  const cluster = parseClusterOptions(argv, port);
  if (typeof cluster === 'string') return { ok: false, error: `${cluster}\n${SERVER_USAGE}` };
  return {
    ok: true,
    config: Object.freeze({
      host: String(argv.host ?? '0.0.0.0'),
      port,
      maxAttempts: attempts,
      credentialsPath: String(argv.credentials ?? './credentials.txt'),
      logDir: String(argv['log-dir'] ?? './logs'),
      dataDir: String(argv['data-dir'] ?? './data'),
      idleTimeoutMinutes: idle,
      allowRegister: argv['allow-register'] === true,
      insecurePlain: argv['insecure-plain'] === true,
      verbose: argv.verbose === true,
      limits,
      udp,
      cluster,
    }),
  };
}

/** Node ids: letters, digits and `.-_:`, as they appear in keys and log lines. */
const NODE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** `--redis redis://HOST:PORT` and `--node-id NAME` (default `node-PORT`); an error text or the config. */
function parseClusterOptions(
  argv: { redis?: unknown; 'node-id'?: unknown },
  port: number,
): { url: string; nodeId: string } | null | string {
  if (argv.redis === undefined) {
    return argv['node-id'] === undefined ? null : '--node-id needs --redis.';
  }
  const url = String(argv.redis).trim();
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (parsed === null || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')) {
    return `Invalid --redis: ${url}. Give redis://HOST:PORT.`;
  }
  const nodeId = argv['node-id'] === undefined ? `node-${port}` : String(argv['node-id']).trim();
  if (!NODE_ID.test(nodeId)) {
    return `Invalid --node-id: ${nodeId}. Use 1-64 letters, digits or . - _ :`;
  }
  return { url, nodeId };
}

export function parseClientConfig(argv: {
  server_IP: unknown;
  server_port: unknown;
  client_udp_server_port: unknown;
  plain?: unknown;
  'download-dir'?: unknown;
  progress?: unknown;
  player?: unknown;
  'stall-timeout'?: unknown;
  'insecure-plain'?: unknown;
  'known-servers'?: unknown;
  'max-file-size'?: unknown;
  'min-free-disk'?: unknown;
  'udp-peer-rate'?: unknown;
  'udp-reply-rate'?: unknown;
  'relay-only'?: unknown;
  'punch-timeout'?: unknown;
  verbose?: unknown;
}): Parsed<ClientCliConfig> {
  const serverHost = String(argv.server_IP ?? '').trim();
  if (serverHost === '') return { ok: false, error: `Missing server_IP.\n${CLIENT_USAGE}` };
  const serverPort = parsePort(argv.server_port);
  if (serverPort === null || serverPort === 0) {
    return {
      ok: false,
      error: `Invalid server_port: ${String(argv.server_port)}.\n${CLIENT_USAGE}`,
    };
  }
  const udpPort = parsePort(argv.client_udp_server_port);
  if (udpPort === null) {
    return {
      ok: false,
      error: `Invalid client_udp_server_port: ${String(argv.client_udp_server_port)}.\n${CLIENT_USAGE}`,
    };
  }
  const player = parsePlayerOption(argv.player);
  if (typeof player === 'string') return { ok: false, error: `${player}\n${CLIENT_USAGE}` };
  const stallText = String(argv['stall-timeout'] ?? '15').trim();
  const stall = /^\d+(\.\d+)?$/.test(stallText) ? Number(stallText) : Number.NaN;
  if (!(stall >= 1 && stall <= 3600)) {
    return {
      ok: false,
      error: `Invalid --stall-timeout: ${stallText}. Give seconds from 1 to 3600.\n${CLIENT_USAGE}`,
    };
  }
  const limits = parseClientLimits(argv);
  if (typeof limits === 'string') return { ok: false, error: `${limits}\n${CLIENT_USAGE}` };
  const punchText = String(argv['punch-timeout'] ?? '3').trim();
  const punch = /^\d+(\.\d+)?$/.test(punchText) ? Number(punchText) : Number.NaN;
  if (!(punch >= 0.2 && punch <= 60)) {
    return {
      ok: false,
      error: `Invalid --punch-timeout: ${punchText}. Give seconds from 0.2 to 60.\n${CLIENT_USAGE}`,
    };
  }
  return {
    ok: true,
    config: Object.freeze({
      serverHost,
      serverPort,
      udpPort,
      plain: argv.plain === true,
      downloadDir: String(argv['download-dir'] ?? '.'),
      progress: argv.progress === true,
      insecurePlain: argv['insecure-plain'] === true,
      knownServersPath:
        typeof argv['known-servers'] === 'string' && argv['known-servers'] !== ''
          ? argv['known-servers']
          : null,
      player,
      stallTimeoutMs: Math.round(stall * 1000),
      limits,
      relayOnly: argv['relay-only'] === true,
      verbose: argv.verbose === true,
      punchTimeoutMs: Math.round(punch * 1000),
    }),
  };
}
