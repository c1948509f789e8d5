import fs from 'node:fs';
import { loadCredentials } from '../server/credentials.js';
import { startServer } from '../server/server.js';
import { CERT_FILE, loadOrCreateIdentity, type TlsIdentity } from '../server/tls-identity.js';
import { createLogger } from '../util/logger.js';
import type { ServerCliConfig } from './config.js';
import { plainPasswordsText, plainUsers } from './passwd-command.js';

/** Runs the server until SIGINT/SIGTERM; resolves with the exit code. */
export async function runServerCommand(
  config: ServerCliConfig,
  options: { showClientHint?: boolean },
): Promise<number> {
  try {
    fs.mkdirSync(config.logDir, { recursive: true });
  } catch (err) {
    process.stderr.write(
      `Cannot create the log folder ${config.logDir}: ${(err as Error).message}\n`,
    );
    return 1;
  }
  const logger = createLogger({
    logDir: config.logDir,
    fileName: 'tessenger-server.log',
    consoleLevel: config.verbose ? 'debug' : 'warn',
  });
  // Listen for the stop signals before anything is printed: a supervisor (or a test) may send
  // one as soon as it reads the "listening" line.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  let identity: TlsIdentity | null = null;
  if (config.insecurePlain) {
    process.stderr.write(
      'WARNING: --insecure-plain: the control channel is plain TCP; passwords and messages cross the network unencrypted.\n',
    );
  } else {
    try {
      identity = await loadOrCreateIdentity(config.dataDir);
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
      return 1;
    }
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      host: config.host,
      port: config.port,
      maxAttempts: config.maxAttempts,
      credentialsPath: config.credentialsPath,
      logDir: config.logDir,
      dataDir: config.dataDir,
      idleMs: Math.round(config.idleTimeoutMinutes * 60_000),
      allowRegister: config.allowRegister,
      maxConnectionsPerAddress: config.limits.maxConnectionsPerAddress,
      maxFailedLoginsPerAddress: config.limits.maxFailedLoginsPerMinute,
      loginTimeoutMs: config.limits.loginTimeoutSeconds * 1000,
      udpPort: config.udp.udpPort ?? undefined,
      relay: config.udp.relay,
      relayUserBytesPerSec: config.udp.relayUserBytesPerSec,
      relayTotalBytesPerSec: config.udp.relayTotalBytesPerSec,
      tls: identity,
      cluster: config.cluster,
      logger,
      console: batchedLines((text) => process.stdout.write(text)),
    });
  } catch (err) {
    process.stderr.write(`${describeStartError(err as NodeJS.ErrnoException, config)}\n`);
    return 1;
  }
  process.stdout.write(`${listeningLine(config.host, server)}\n`);
  if (identity) {
    // Users compare this with what their client pins on first connection.
    const made = identity.created ? ` (new, saved in ${config.dataDir}/${CERT_FILE})` : '';
    process.stdout.write(`TLS 1.3 certificate fingerprint: ${identity.fingerprint}${made}\n`);
  }
  await warnPlainPasswords(config.credentialsPath);
  if (options.showClientHint) {
    process.stdout.write(
      `Start a client in another terminal with: npx tessenger client 127.0.0.1 ${server.port} 6000\n`,
    );
  }
  await stopped;
  await server.close();
  return 0;
}

/** `Tessenger server listening on 0.0.0.0:5000 (UDP 5000: binding and relay)`; IPv6 in brackets. */
export function listeningLine(
  host: string,
  server: { port: number; udpPort: number | null; relay: boolean },
): string {
  const at = host.includes(':') ? `[${host}]` : host;
  const udp =
    server.udpPort === null
      ? ''
      : ` (UDP ${server.udpPort}: ${server.relay ? 'binding and relay' : 'binding; relay off'})`;
  return `Tessenger server listening on ${at}:${server.port}${udp}`;
}

function describeStartError(err: NodeJS.ErrnoException, config: ServerCliConfig): string {
  const udpPort = (err as { udpPort?: number }).udpPort;
  if (udpPort !== undefined) {
    switch (err.code) {
      case 'EADDRINUSE':
        return `UDP port ${udpPort} is already in use. Choose another with --udp-port.`;
      case 'EACCES':
        return `Not allowed to bind UDP port ${udpPort}. Choose a port above 1023 with --udp-port.`;
      default:
        return `Cannot bind UDP port ${udpPort}: ${err.message}`;
    }
  }
  switch (err.code) {
    case 'EADDRINUSE':
      return `Port ${config.port} is already in use. Choose another server_port.`;
    case 'EACCES':
      return `Not allowed to listen on port ${config.port}. Choose a port above 1023.`;
    case 'ENOENT':
      return `Cannot read the credentials file ${config.credentialsPath}: no such file.`;
    case 'EADDRNOTAVAIL':
      return `Cannot listen on ${config.host}: no such local address.`;
    default:
      return `Cannot start the server: ${err.message}`;
  }
}

/** On stderr, so the SPEC console lines on stdout stay as they are. */
async function warnPlainPasswords(credentialsPath: string): Promise<void> {
  try {
    const plain = plainUsers((await loadCredentials(credentialsPath)).users);
    if (plain.length > 0) process.stderr.write(`${plainPasswordsText(plain, credentialsPath)}\n`);
  } catch {
    // The server read the file a moment ago; a race with an edit is not worth a failure.
  }
}

/**
 * The console sink: the lines printed in one synchronous stretch (a committed batch of
 * messages resumes all its handlers together) go out in one write at its end, not one write
 * system call per message (stdout to a file or pipe is written synchronously).
 */
function batchedLines(write: (text: string) => void): (line: string) => void {
  let lines: string[] = [];
  return (line) => {
    if (lines.length === 0) {
      queueMicrotask(() => {
        const text = lines.join('');
        lines = [];
        write(text);
      });
    }
    lines.push(`${line}\n`);
  };
}
