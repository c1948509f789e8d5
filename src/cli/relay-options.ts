/**
 * The server's UDP side on the command line: its port, the relay switch and the relay's
 * byte-rate caps. Pure, so every bad value is unit-tested; the error names the option.
 */
import { DEFAULT_RELAY_CAPS } from '../server/relay/caps.js';
import { parseSize } from './limit-options.js';

export interface RelayCliOptions {
  /** `--udp-port`: null = the same number as the TCP port. */
  readonly udpPort: number | null;
  /** False with `--no-relay`. */
  readonly relay: boolean;
  /** `--relay-rate-per-user`, bytes per second. */
  readonly relayUserBytesPerSec: number;
  /** `--relay-rate-total`, bytes per second. */
  readonly relayTotalBytesPerSec: number;
}

/** Below one largest datagram per second a relayed transfer could not even start. */
const MIN_RATE = 64 * 1024;
const MAX_RATE = 2 ** 40;

function parseRate(option: string, value: unknown): number | string {
  const bytes = parseSize(option, value);
  if (typeof bytes === 'string' || (bytes >= MIN_RATE && bytes <= MAX_RATE)) return bytes;
  return `Invalid --${option}: ${String(value).trim()}. Give bytes per second from 64K to 1T (e.g. 32M).`;
}

type Argv = Record<string, unknown>;

/** Reads `--udp-port`, `--no-relay` (yargs: `relay: false`) and the two relay rates. */
export function parseRelayOptions(argv: Argv): RelayCliOptions | string {
  let udpPort: number | null = null;
  if (argv['udp-port'] !== undefined) {
    const text = String(argv['udp-port']).trim();
    const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
    if (!(port >= 0 && port <= 65535)) {
      return `Invalid --udp-port: ${text}. Give a port from 0 (any free port) to 65535.`;
    }
    udpPort = port;
  }
  const perUser = parseRate(
    'relay-rate-per-user',
    argv['relay-rate-per-user'] ?? DEFAULT_RELAY_CAPS.userBytesPerSec,
  );
  if (typeof perUser === 'string') return perUser;
  const total = parseRate(
    'relay-rate-total',
    argv['relay-rate-total'] ?? DEFAULT_RELAY_CAPS.totalBytesPerSec,
  );
  if (typeof total === 'string') return total;
  if (perUser > total) {
    return `Invalid --relay-rate-per-user: ${perUser} bytes/s is above --relay-rate-total (${total} bytes/s).`;
  }
  return Object.freeze({
    udpPort,
    relay: argv.relay !== false,
    relayUserBytesPerSec: perUser,
    relayTotalBytesPerSec: total,
  });
}
