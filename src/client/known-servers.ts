/**
 * Trust on first use for the servers' self-signed certificates, as ssh does with host keys:
 * the first fingerprint seen for `host:port` is pinned in the known-servers file, and a
 * different one later is refused with both fingerprints named.
 *
 * File format, one server a line: `127.0.0.1:5000 SHA256 AB:CD:...` (`#` starts a comment).
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** What the client does about a presented certificate. */
export type TrustDecision =
  | { kind: 'known' }
  | { kind: 'new' }
  | { kind: 'changed'; pinned: string };

/** The narrow seam the connection uses; a test fakes it in a few lines. */
export interface ServerTrust {
  /** Decides on `fingerprint` for `server` (`host:port`); pins it when the server is new. */
  check(server: string, fingerprint: string): Promise<TrustDecision>;
  /** Where pins are kept, for messages. */
  readonly location: string;
}

/** The default file: `$TESSENGER_CONFIG_DIR`, `$XDG_CONFIG_HOME/tessenger` or `~/.config/tessenger`. */
export function defaultKnownServersPath(
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  if (env.TESSENGER_CONFIG_DIR) return path.join(env.TESSENGER_CONFIG_DIR, 'known_servers');
  const base = env.XDG_CONFIG_HOME || path.join(home, '.config');
  return path.join(base, 'tessenger', 'known_servers');
}

/** Parses the file's text; lines that do not fit are ignored (the first pin of a server wins). */
export function parseKnownServers(text: string): Map<string, string> {
  const pins = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\S+)\s+(SHA256 [0-9A-F:]+)$/.exec(line);
    if (match && !pins.has(match[1] as string)) pins.set(match[1] as string, match[2] as string);
  }
  return pins;
}

/** The known-servers file on disk. */
export class KnownServersFile implements ServerTrust {
  constructor(readonly location: string) {}

  async check(server: string, fingerprint: string): Promise<TrustDecision> {
    let text = '';
    try {
      text = await readFile(this.location, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const pinned = parseKnownServers(text).get(server);
    if (pinned === fingerprint) return { kind: 'known' };
    if (pinned !== undefined) return { kind: 'changed', pinned };
    await mkdir(path.dirname(this.location), { recursive: true, mode: 0o700 });
    // One append per pin: clients starting together each add their line, none is lost.
    const sep = text !== '' && !text.endsWith('\n') ? '\n' : '';
    await appendFile(this.location, `${sep}${server} ${fingerprint}\n`, { mode: 0o600 });
    return { kind: 'new' };
  }
}

/** The refusal, naming both fingerprints and how to accept an expected change. */
export function changedServerText(
  server: string,
  pinned: string,
  presented: string,
  location: string,
): string {
  return [
    `WARNING: the server at ${server} presented a different certificate than the one pinned before.`,
    `  pinned:    ${pinned}`,
    `  presented: ${presented}`,
    'Someone may be intercepting the connection, or the server got a new certificate. Not connecting.',
    `If the change is expected, remove the line for ${server} from ${location} and connect again.`,
  ].join('\n');
}

/** Shown once when a server is pinned for the first time. */
export function newServerText(server: string, fingerprint: string, location: string): string {
  return `New server ${server}: certificate ${fingerprint} pinned in ${location}. Compare it with the fingerprint the server printed at start.`;
}
