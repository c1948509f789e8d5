#!/usr/bin/env -S node --max-semi-space-size=32
/**
 * `tessenger` entry point: yargs → validated config → constructors. Errors end in one clear
 * line and a non-zero exit, never a stack trace.
 *
 * The shebang gives Node a 32 MiB semi-space (young generation) instead of 16: a busy server
 * allocates a few short-lived objects per message, and the smaller space meant a scavenge
 * every 50 ms at full load (docs/PERFORMANCE.md, section 8). `npm start` passes the same flag
 * and the chat bench reads it from here.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { runClientCommand } from './client-command.js';
import { runClusterLogs } from './cluster-logs.js';
import { CLIENT_USAGE, parseClientConfig, parseServerConfig, SERVER_USAGE } from './config.js';
import { runLogsCommand } from './logs-command.js';
import { runPasswdCommand } from './passwd-command.js';
import { runServerCommand } from './server-command.js';

/** Default port of `npm start` / `tessenger start`. */
const DEFAULT_PORT = 5000;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

await yargs(hideBin(process.argv))
  .scriptName('tessenger')
  .usage('Tessenger: a terminal messenger.\n\nUsage: $0 <command> [options]')
  .command(
    'server <server_port> <number_of_consecutive_failed_attempts>',
    'Run the chat server',
    (y) =>
      y
        .positional('server_port', { type: 'string', describe: 'TCP port to listen on (0 = any)' })
        .positional('number_of_consecutive_failed_attempts', {
          type: 'string',
          describe: 'failed logins (1-5) before an account is blocked for 10 s',
        })
        .option('host', { type: 'string', default: '0.0.0.0', describe: 'address to listen on' })
        .option('credentials', {
          type: 'string',
          default: './credentials.txt',
          describe: 'credentials file',
        })
        .option('log-dir', { type: 'string', default: './logs', describe: 'log folder' })
        .option('data-dir', {
          type: 'string',
          default: './data',
          describe: 'folder of the database (history, groups, offline messages)',
        })
        .option('idle-timeout', {
          type: 'string',
          default: '30',
          describe: 'log out sessions idle this many minutes (0 = never)',
        })
        .option('allow-register', {
          type: 'boolean',
          default: false,
          describe: 'let unknown usernames create an account',
        })
        .option('insecure-plain', {
          type: 'boolean',
          default: false,
          describe: 'plain TCP instead of TLS 1.3 (unencrypted; for debugging only)',
        })
        .option('verbose', { type: 'boolean', default: false, describe: 'diagnostics on stderr' })
        .option('max-connections-per-address', {
          type: 'string',
          describe: 'open connections one client address may hold (default 64)',
        })
        .option('max-failed-logins-per-minute', {
          type: 'string',
          describe: 'failed logins one address may make per minute, any usernames (default 20)',
        })
        .option('login-timeout', {
          type: 'string',
          describe: 'seconds to finish logging in, TLS included (default 30, 0 = no limit)',
        })
        .option('udp-port', {
          type: 'string',
          describe: 'UDP port of binding and the relay (default: the same number as the TCP port)',
        })
        .option('relay', {
          type: 'boolean',
          default: true,
          describe: 'relay transfers that find no direct path (--no-relay: off)',
        })
        .option('relay-rate-per-user', {
          type: 'string',
          describe: 'bytes per second one user may send through the relay (default 32M)',
        })
        .option('relay-rate-total', {
          type: 'string',
          describe: 'bytes per second the relay forwards in total (default 128M)',
        })
        .option('redis', {
          type: 'string',
          describe: 'join a cluster of nodes sharing this Redis (redis://HOST:PORT)',
        })
        .option('node-id', {
          type: 'string',
          describe: "this node's name in the cluster (default node-PORT)",
        }),
    async (argv) => {
      const parsed = parseServerConfig(argv);
      if (!parsed.ok) fail(parsed.error);
      process.exitCode = await runServerCommand(parsed.config, {});
    },
  )
  .command(
    'start',
    `Run a server on port ${DEFAULT_PORT} with ./credentials.txt (3 attempts)`,
    (y) => y.option('port', { type: 'string', default: String(DEFAULT_PORT) }),
    async (argv) => {
      const parsed = parseServerConfig({
        server_port: argv.port,
        number_of_consecutive_failed_attempts: '3',
      });
      if (!parsed.ok) fail(parsed.error);
      process.exitCode = await runServerCommand(parsed.config, { showClientHint: true });
    },
  )
  .command(
    'client <server_IP> <server_port> <client_udp_server_port>',
    'Run a client (the TUI on a terminal, plain lines otherwise)',
    (y) =>
      y
        .positional('server_IP', { type: 'string', describe: 'server address' })
        .positional('server_port', { type: 'string', describe: 'server TCP port' })
        .positional('client_udp_server_port', {
          type: 'string',
          describe: 'UDP port this client receives files on (0 = any)',
        })
        .option('plain', {
          type: 'boolean',
          default: false,
          describe: 'plain line mode even on a terminal',
        })
        .option('download-dir', {
          type: 'string',
          default: '.',
          describe: 'folder received files are saved in',
        })
        .option('progress', {
          type: 'boolean',
          default: false,
          describe: 'plain mode: print transfer progress lines',
        })
        .option('known-servers', {
          type: 'string',
          describe:
            'file of pinned server certificates (default: ~/.config/tessenger/known_servers)',
        })
        .option('insecure-plain', {
          type: 'boolean',
          default: false,
          describe: 'plain TCP instead of TLS 1.3 (the server must use it too; unencrypted)',
        })
        .option('player', {
          type: 'string',
          describe:
            'play incoming files while they arrive: CMD reads stdin (default: ffplay or mpv on PATH)',
        })
        .option('stall-timeout', {
          type: 'string',
          default: '15',
          hidden: true,
          describe: 'seconds without progress before a transfer fails',
        })
        .option('max-file-size', {
          type: 'string',
          describe: 'decline offered files larger than SIZE (e.g. 500M, 4G; default: no cap)',
        })
        .option('min-free-disk', {
          type: 'string',
          describe: 'decline a file that would leave less than SIZE free (default 64M)',
        })
        .option('udp-peer-rate', {
          type: 'string',
          describe: 'authenticated datagrams accepted per second from one peer (default 100000)',
        })
        .option('udp-reply-rate', {
          type: 'string',
          describe: 'replies (ACKs) sent per second to one peer (default 20000)',
        })
        .option('relay-only', {
          type: 'boolean',
          default: false,
          describe:
            "send and receive files only through the server's relay (peers never see your address)",
        })
        .option('verbose', {
          type: 'boolean',
          default: false,
          describe: 'plain mode: diagnostics on stderr (paths, transfer statistics)',
        })
        .option('punch-timeout', {
          type: 'string',
          default: '3',
          describe: 'seconds to look for a direct path before relaying through the server',
        }),
    async (argv) => {
      const parsed = parseClientConfig(argv);
      if (!parsed.ok) fail(parsed.error);
      process.exitCode = await runClientCommand(parsed.config);
    },
  )
  .command(
    'passwd <user>',
    "Set or rehash a user's password in credentials.txt (a salted scrypt hash)",
    (y) =>
      y.positional('user', { type: 'string', describe: 'the username' }).option('credentials', {
        type: 'string',
        default: './credentials.txt',
        describe: 'credentials file',
      }),
    async (argv) => {
      process.exitCode = await runPasswdCommand({
        username: String(argv.user ?? ''),
        credentialsPath: argv.credentials,
        input: process.stdin,
        output: process.stdout,
        terminal: Boolean(process.stdin.isTTY && process.stdout.isTTY),
      });
    },
  )
  .command(
    'logs',
    "Show the server's userlog, messagelog, group logs and diagnostic log",
    (y) =>
      y
        .option('log-dir', { type: 'string', default: './logs', describe: 'log folder' })
        .option('follow', {
          alias: 'f',
          type: 'boolean',
          default: false,
          describe: 'keep printing new lines, as tail -f',
        })
        .option('lines', {
          alias: 'n',
          type: 'number',
          default: 0,
          describe: 'show only the last N lines of each file first (0 = all)',
        })
        .option('color', {
          type: 'boolean',
          describe: 'colour the output (default: when stdout is a terminal and NO_COLOR is unset)',
        })
        .option('redis', {
          type: 'string',
          describe: "a cluster's merged, ordered logs, read from its Redis (redis://HOST:PORT)",
        }),
    async (argv) => {
      const colour = argv.color ?? (Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
      if (argv.redis !== undefined) {
        process.exitCode = await runClusterLogs({
          url: argv.redis,
          lines: Math.max(0, Math.floor(argv.lines)),
          colour,
        });
        return;
      }
      process.exitCode = await runLogsCommand({
        logDir: argv['log-dir'],
        follow: argv.follow,
        lines: Math.max(0, Math.floor(argv.lines)),
        colour,
      });
    },
  )
  .demandCommand(1, 'Name a command: server, client, start, logs or passwd.')
  .strict()
  .help()
  .alias('h', 'help')
  .version(false)
  .fail((message, error) => {
    if (error) fail(error.message);
    const args = hideBin(process.argv);
    const usage =
      args[0] === 'server' ? SERVER_USAGE : args[0] === 'client' ? CLIENT_USAGE : undefined;
    fail([message, usage ?? 'Run tessenger --help for the commands.'].join('\n'));
  })
  .parseAsync();
