/**
 * The security limits a user may change on the command line: a whole number in a range, or a
 * size such as 500M or 2G. Pure, so every bad value is unit-tested; the error names the option.
 */

export interface ServerLimits {
  /** Open connections one client address may hold. */
  readonly maxConnectionsPerAddress: number;
  /** Failed logins one address may make per minute before RATE_LIMITED. */
  readonly maxFailedLoginsPerMinute: number;
  /** Seconds from accept to a finished login (TLS handshake included); 0 = no limit. */
  readonly loginTimeoutSeconds: number;
}

export interface ClientLimits {
  /** Largest offered file accepted, in bytes; null = no cap beyond free space. */
  readonly maxFileBytes: number | null;
  /** Bytes left free in the download folder after a file is accepted. */
  readonly minFreeDiskBytes: number;
  /** Authenticated datagrams accepted from one transfer peer per second. */
  readonly udpPeerRate: number;
  /** Replies (ACK, DONE, ABORT) sent to one transfer peer per second. */
  readonly udpReplyRate: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = Object.freeze({
  maxConnectionsPerAddress: 64,
  maxFailedLoginsPerMinute: 20,
  loginTimeoutSeconds: 30,
});

export const DEFAULT_CLIENT_LIMITS: ClientLimits = Object.freeze({
  maxFileBytes: null,
  minFreeDiskBytes: 64 * 1024 * 1024,
  udpPeerRate: 100_000,
  udpReplyRate: 20_000,
});

/** A whole number in [min, max], or an error text naming the option. */
export function parseWhole(
  option: string,
  value: unknown,
  min: number,
  max: number,
): number | string {
  const text = String(value).trim();
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max)) {
    return `Invalid --${option}: ${text}. Give a whole number from ${min} to ${max}.`;
  }
  return n;
}

const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** Bytes from `123`, `500K`, `1.5G` (binary units, optional trailing B or iB), or an error. */
export function parseSize(option: string, value: unknown): number | string {
  const text = String(value).trim();
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text);
  const bytes = m ? Math.floor(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!) : Number.NaN;
  if (!(bytes >= 0 && bytes <= Number.MAX_SAFE_INTEGER)) {
    return `Invalid --${option}: ${text}. Give a size in bytes, or with K, M, G or T (e.g. 500M, 2G).`;
  }
  return bytes;
}

type Argv = Record<string, unknown>;

/** Reads the server's limit options; absent ones keep their defaults. */
export function parseServerLimits(argv: Argv): ServerLimits | string {
  const d = DEFAULT_SERVER_LIMITS;
  const connections = parseWhole(
    'max-connections-per-address',
    argv['max-connections-per-address'] ?? d.maxConnectionsPerAddress,
    1,
    100_000,
  );
  if (typeof connections === 'string') return connections;
  const logins = parseWhole(
    'max-failed-logins-per-minute',
    argv['max-failed-logins-per-minute'] ?? d.maxFailedLoginsPerMinute,
    1,
    100_000,
  );
  if (typeof logins === 'string') return logins;
  const timeout = parseWhole(
    'login-timeout',
    argv['login-timeout'] ?? d.loginTimeoutSeconds,
    0,
    3600,
  );
  if (typeof timeout === 'string') return timeout;
  return Object.freeze({
    maxConnectionsPerAddress: connections,
    maxFailedLoginsPerMinute: logins,
    loginTimeoutSeconds: timeout,
  });
}

/** Reads the client's limit options; absent ones keep their defaults. */
export function parseClientLimits(argv: Argv): ClientLimits | string {
  const d = DEFAULT_CLIENT_LIMITS;
  let maxFileBytes: number | null = null;
  if (argv['max-file-size'] !== undefined) {
    const size = parseSize('max-file-size', argv['max-file-size']);
    if (typeof size === 'string') return size;
    maxFileBytes = size;
  }
  const free = parseSize('min-free-disk', argv['min-free-disk'] ?? d.minFreeDiskBytes);
  if (typeof free === 'string') return free;
  const peer = parseWhole('udp-peer-rate', argv['udp-peer-rate'] ?? d.udpPeerRate, 100, 10_000_000);
  if (typeof peer === 'string') return peer;
  const reply = parseWhole(
    'udp-reply-rate',
    argv['udp-reply-rate'] ?? d.udpReplyRate,
    10,
    1_000_000,
  );
  if (typeof reply === 'string') return reply;
  return Object.freeze({
    maxFileBytes,
    minFreeDiskBytes: free,
    udpPeerRate: peer,
    udpReplyRate: reply,
  });
}
