/**
 * Plain line mode: SPEC.md's dialogue on stdin/stdout, for pipes, scripts and `--plain`.
 */
import type { ChatClient } from '../client/chat-client.js';
import { parseCommand } from '../client/commands/index.js';
import { formatResult } from '../presentation/command-text.js';
import {
  formatBroadcast,
  formatGroupMessage,
  formatInvite,
  formatMessage,
  formatPresence,
  formatReceipt,
} from '../presentation/event-text.js';
import { COMMAND_LIST, commandHelp } from '../presentation/help.js';
import {
  formatPlayerFailed,
  formatPlaying,
  formatProgress,
  formatResuming,
  formatRoute,
  formatTransferDone,
  formatTransferFailed,
} from '../presentation/transfer-text.js';
import { ErrorCode, ProtocolError } from '../protocol/errors.js';
import { formatBytes } from '../util/bytes.js';
import { LineReader } from './line-reader.js';

export interface PlainOptions {
  client: ChatClient;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Input is a terminal: passwords are not echoed. */
  terminal: boolean;
  /** Print a progress line for transfers now and then. */
  progress: boolean;
}

/** Runs the dialogue to its end; resolves with the process exit code. */
export async function runPlainClient(options: PlainOptions): Promise<number> {
  const { client, output } = options;
  // One write per call: a result and the command list after it reach a pipe together, so a
  // script never reads one without the other.
  const print = (...lines: string[]) => {
    if (lines.length > 0) output.write(lines.map((line) => `${line}\n`).join(''));
  };
  const reader = new LineReader(options.input, output, options.terminal);
  let finishing = false;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });

  const finish = async (code: number, lines: string[] = []) => {
    if (finishing) return;
    finishing = true;
    print(...lines);
    reader.close();
    await client.close();
    resolveExit(code);
  };
  const logoutAndExit = async () => {
    if (finishing) return;
    if (client.user === null) return finish(0);
    const result = await client.logout();
    await finish(0, formatResult(result));
  };
  reader.onInterrupt = () => void logoutAndExit();
  process.once('SIGINT', () => void logoutAndExit());
  process.once('SIGTERM', () => void logoutAndExit());

  // Set when the server said why it ends the session: the close that follows is no surprise.
  let byeCode: string | undefined;
  client.on('disconnected', ({ expected }) => {
    // Cut at the login prompt for taking too long: the next login opens a new connection.
    if (byeCode === ErrorCode.LoginTimeout && client.user === null) return;
    if (byeCode === ErrorCode.IdleTimeout) void finish(0);
    else if (!expected) void finish(1, ['Connection to the server was lost.']);
  });
  client.on('bye', ({ reason, code }) => {
    byeCode = code;
    if (code === ErrorCode.LoginTimeout) return;
    print(`Disconnected by the server: ${reason}`);
  });

  const login = async (): Promise<boolean> => {
    print('Please login');
    let username: string | null = null;
    for (;;) {
      if (username === null) {
        output.write('Username: ');
        username = await reader.next();
        if (username === null) return false;
        username = username.trim();
      }
      output.write('Password: ');
      const password = await reader.next({ mute: options.terminal });
      if (options.terminal) output.write('\n');
      if (password === null) return false;
      try {
        await client.login(username, password);
        return true;
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        print(err.message);
        switch (err.code) {
          case ErrorCode.InvalidPassword:
            break;
          case ErrorCode.CanRegister: {
            const outcome = await register(username, password);
            if (outcome !== 'retry') return outcome === 'ok';
            username = null;
            break;
          }
          case ErrorCode.AccountBlocked:
          case ErrorCode.AccountLocked:
            await finish(1);
            return false;
          default:
            username = null;
        }
      }
    }
  };

  /**
   * The server allows registration and the name is free: the password is asked a second
   * time and, when both match, the account is created. 'retry' when they differ or the
   * server refused (its reason printed): the dialogue starts over at the username.
   */
  const register = async (username: string, first: string): Promise<'ok' | 'retry' | 'eof'> => {
    output.write('Repeat password: ');
    const again = await reader.next({ mute: options.terminal });
    if (options.terminal) output.write('\n');
    if (again === null) return 'eof';
    if (again !== first) {
      print('Passwords do not match. Please try again');
      return 'retry';
    }
    try {
      await client.register(username, first);
      print(`Account ${username} created.`);
      return 'ok';
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      print(err.message);
      return 'retry';
    }
  };

  const session = async () => {
    try {
      if (!(await login())) return finish(finishing ? 1 : 0);
    } catch (err) {
      return finish(1, [(err as Error).message]);
    }
    print('Welcome to TESSENGER!', COMMAND_LIST);
    subscribeToEvents(client, print, options.progress);
    for (;;) {
      const line = await reader.next();
      if (finishing) return;
      if (line === null) {
        // End of input logs out, but lets transfers under way finish first.
        await client.transfers.whenIdle();
        return logoutAndExit();
      }
      if (line.trim() === '') continue;
      if (line.trim() === '/help') {
        print(...commandHelp(), COMMAND_LIST);
        continue;
      }
      const parsed = parseCommand(line);
      if (!parsed.ok) {
        print(parsed.error, COMMAND_LIST);
        continue;
      }
      try {
        const result = await client.run(parsed.command);
        if (result.kind === 'logged-out') return finish(0, formatResult(result));
        print(...formatResult(result), COMMAND_LIST);
      } catch (err) {
        if (finishing) return;
        print((err as Error).message, COMMAND_LIST);
      }
    }
  };

  void session();
  return exited;
}

function subscribeToEvents(
  client: ChatClient,
  print: (...lines: string[]) => void,
  progress: boolean,
): void {
  client.on('message', (m) => print(formatMessage(m), COMMAND_LIST));
  client.on('group-message', (m) => print(formatGroupMessage(m), COMMAND_LIST));
  client.on('group-invite', (i) => print(formatInvite(i), COMMAND_LIST));
  client.on('broadcast', (m) => print(formatBroadcast(m), COMMAND_LIST));
  // Notices nobody asked for: one line each, no command list.
  client.on('presence', (p) => print(formatPresence(p)));
  client.on('receipt', (r) => print(formatReceipt(r)));
  client.on('transfer-incoming', (t) => {
    print(`Receiving ${t.filename} from ${t.peer} (${t.size} bytes)...`);
    if (t.player) print(formatPlaying(t));
  });
  client.on('transfer-path', (t) => print(formatRoute(t)));
  client.on('transfer-player-failed', (t) => print(formatPlayerFailed(t)));
  client.on('transfer-resumed', (t) => print(formatResuming(t)));
  client.on('transfer-complete', (t) => {
    const lines = formatTransferDone(t);
    // A resumed upload says how much was saved, after the spec's line, which stays verbatim.
    if (t.direction === 'send' && t.sent !== undefined && t.sent < t.size) {
      lines.push(
        `Resumed: ${formatBytes(t.size - t.sent)} were already there, ${formatBytes(t.sent)} sent (${t.sent} bytes)`,
      );
    }
    print(...lines, COMMAND_LIST);
  });
  client.on('transfer-failed', (t) => print(formatTransferFailed(t), COMMAND_LIST));
  if (progress) {
    let last = 0;
    client.on('transfer-progress', (t) => {
      const now = Date.now();
      if (now - last < 1000) return;
      last = now;
      print(formatProgress(t));
    });
  }
}
