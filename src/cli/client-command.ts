import fs from 'node:fs';
import path from 'node:path';
import { ChatClient } from '../client/chat-client.js';
import { defaultKnownServersPath, KnownServersFile } from '../client/known-servers.js';
import type { ControlSecurity } from '../client/secure-socket.js';
import { createTransferEngine } from '../transfer/engine.js';
import { runTuiClient } from '../tui/app.js';
import { createLogger } from '../util/logger.js';
import type { ClientCliConfig } from './config.js';
import { runPlainClient } from './plain-client.js';
import { NO_PLAYER_NOTICE, resolvePlayer } from './player-command.js';

/** Runs a client to its end; resolves with the exit code. */
export async function runClientCommand(config: ClientCliConfig): Promise<number> {
  // A dumb terminal cannot address the screen: it gets the plain line mode.
  const tui =
    Boolean(process.stdin.isTTY && process.stdout.isTTY) &&
    !config.plain &&
    process.env.TERM !== 'dumb';
  // Console diagnostics would scribble over the TUI's screen.
  const logger = createLogger({
    fileName: 'tessenger-client.log',
    consoleLevel: tui ? 'silent' : config.verbose ? 'info' : 'error',
  });
  const downloadDir = path.resolve(config.downloadDir);
  try {
    fs.mkdirSync(downloadDir, { recursive: true });
  } catch (err) {
    return failWith(`Cannot use the download folder ${downloadDir}: ${(err as Error).message}`);
  }
  let engine: Awaited<ReturnType<typeof createTransferEngine>>;
  try {
    engine = await createTransferEngine({
      port: config.udpPort,
      logger,
      stallTimeoutMs: config.stallTimeoutMs,
      rateCaps: {
        peerDatagrams: { perSec: config.limits.udpPeerRate, burst: config.limits.udpPeerRate / 5 },
        replies: { perSec: config.limits.udpReplyRate, burst: config.limits.udpReplyRate / 10 },
      },
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      return failWith(
        `UDP port ${config.udpPort} is already in use. Choose another client_udp_server_port.`,
      );
    }
    return failWith(`Cannot listen on UDP port ${config.udpPort}: ${(err as Error).message}`);
  }
  // The TUI's screen would hide a notice written to stderr: it shows them itself.
  const notices: string[] = [];
  const notify = tui
    ? (text: string) => notices.push(text)
    : (text: string) => process.stderr.write(`${text}\n`);
  let client: ChatClient;
  try {
    client = await ChatClient.connect({
      host: config.serverHost,
      port: config.serverPort,
      engine,
      downloadDir,
      logger,
      security: controlSecurity(config, notify),
    });
  } catch (err) {
    await engine.close();
    return failWith((err as Error).message);
  }
  const player = resolvePlayer(config.player);
  if (config.player.mode === 'auto' && player === null)
    process.stdout.write(`${NO_PLAYER_NOTICE}\n`);
  client.transfers.setPlayer(player);
  client.transfers.paths.relayOnly = config.relayOnly;
  client.transfers.paths.punchMs = config.punchTimeoutMs;
  client.transfers.receiveLimits = {
    maxBytes: config.limits.maxFileBytes ?? Number.MAX_SAFE_INTEGER,
    reserveBytes: config.limits.minFreeDiskBytes,
  };
  const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  if (tui) {
    return runTuiClient({ client, server: `${config.serverHost}:${config.serverPort}`, notices });
  }
  return runPlainClient({
    client,
    input: process.stdin,
    output: process.stdout,
    terminal,
    progress: config.progress,
  });
}

/** TLS with the known-servers pin by default; plain TCP, with a warning, on request. */
function controlSecurity(config: ClientCliConfig, notify: (text: string) => void): ControlSecurity {
  if (config.insecurePlain) {
    process.stderr.write(
      'WARNING: --insecure-plain: the control channel is plain TCP; your password and messages cross the network unencrypted.\n',
    );
    return { tls: false, probe: true };
  }
  const location = config.knownServersPath ?? defaultKnownServersPath();
  return {
    tls: true,
    trust: new KnownServersFile(location),
    onNewServer: notify,
  };
}

function failWith(message: string): number {
  process.stderr.write(`${message}\n`);
  return 1;
}
