/**
 * The whole SPEC.md dialogue through the real CLI: a server and four plain clients as
 * processes, each in its own folder, checked by what each prints and what the logs hold.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_LIST } from '../../src/presentation/help.js';
import { type CliProcess, loginClient, startServerProcess } from '../helpers/cli-process.js';
import { makeTempDir, SAMPLE_CREDENTIALS as PW, writeCredentials } from '../helpers/temp-dir.js';

const TS = String.raw`\d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}`;
const temps: Array<() => Promise<void>> = [];
let serverDir: string;
let server: CliProcess;
let port: number;
const clients: Record<string, CliProcess> = {};

async function folder(): Promise<string> {
  const t = await makeTempDir();
  temps.push(t.cleanup);
  return t.dir;
}

/** Sends a command and waits for the command list that follows its result. */
async function command(user: string, line: string): Promise<string> {
  const proc = clients[user]!;
  const from = proc.stdout.length;
  const before = proc.count(COMMAND_LIST);
  proc.line(line);
  const deadline = Date.now() + 20_000;
  while (proc.count(COMMAND_LIST) === before) {
    if (Date.now() > deadline) throw new Error(`no answer to ${line}: ${proc.stdout.slice(from)}`);
    await proc.waitFor(COMMAND_LIST, { from, timeoutMs: 20_000 });
  }
  return withoutNotices(proc.stdout.slice(from).split(COMMAND_LIST)[0]!).trim();
}

/** Presence and receipt notices arrive whenever they happen; a command's answer is the rest. */
const NOTICE = new RegExp(
  `^(\\S+ logged (in|out)\\.|\\S+ received your message sent at ${TS}\\.)$`,
);
const withoutNotices = (text: string): string =>
  text
    .split('\n')
    .filter((line) => !NOTICE.test(line))
    .join('\n');

const readLog = (name: string) => fs.readFile(path.join(serverDir, 'logs', name), 'utf8');

/** Polls userlog.txt until it lists exactly these users (the file is rewritten asynchronously). */
async function userlogUsers(expected: string[]): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lines = (await readLog('userlog.txt')).trim().split('\n').filter(Boolean);
    const users = lines.map((l) => l.split('; ')[2]!);
    if (users.join() === expected.join() || Date.now() > deadline) return lines;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  serverDir = await folder();
  await writeCredentials(serverDir);
  ({ proc: server, port } = await startServerProcess(serverDir, [
    '--credentials',
    'credentials.txt',
    '--log-dir',
    'logs',
  ]));
  for (const user of ['Yoda', 'obiwan', 'Hans', 'vader']) {
    clients[user] = await loginClient(await folder(), port, user, PW[user]!);
  }
});

afterAll(async () => {
  for (const c of Object.values(clients)) c.kill();
  server?.kill();
  for (const cleanup of temps) await cleanup();
});

describe('plain client against the real server', () => {
  it('shows the login dialogue and the command list', async () => {
    expect(withoutNotices(clients.Yoda!.stdout)).toBe(
      `Please login\nUsername: Password: Welcome to TESSENGER!\n${COMMAND_LIST}\n`,
    );
  });

  it('writes userlog.txt with one line per online user', async () => {
    const lines = (await readLog('userlog.txt')).trim().split('\n');
    expect(lines).toHaveLength(4);
    ['Yoda', 'obiwan', 'Hans', 'vader'].forEach((u, i) => {
      expect(lines[i]).toMatch(new RegExp(`^${i + 1}; ${TS}; ${u}; 127\\.0\\.0\\.1; \\d+$`));
    });
  });

  it('/activeuser lists every other user', async () => {
    const out = await command('Yoda', '/activeuser');
    const lines = out.split('\n');
    expect(lines).toHaveLength(3);
    for (const [i, u] of ['obiwan', 'Hans', 'vader'].entries()) {
      expect(lines[i]).toMatch(new RegExp(`^${u}, 127\\.0\\.0\\.1, \\d+, active since ${TS}\\.$`));
    }
    await server.waitFor('Yoda issued /activeuser command');
  });

  it('/msgto reaches the receiver at once and is logged', async () => {
    const out = await command('Yoda', '/msgto obiwan Hello there; $(not a shell) !');
    expect(out).toMatch(new RegExp(`^message sent at ${TS}\\.$`));
    await clients.obiwan!.waitFor(new RegExp(`${TS}, Yoda: Hello there; \\$\\(not a shell\\) !\n`));
    await server.waitFor(
      new RegExp(`Yoda message to obiwan "Hello there; \\$\\(not a shell\\) !" at ${TS}\\.`),
    );
    expect(await readLog('messagelog.txt')).toMatch(
      new RegExp(`^1; ${TS}; obiwan; Hello there; \\$\\(not a shell\\) !\n$`),
    );
  });

  it.each([
    ['/msgto', 'Missing username and message. Usage: /msgto USERNAME MESSAGE'],
    ['/msgto obiwan     ', 'Missing message. Usage: /msgto USERNAME MESSAGE'],
    ['/msgto Yoda hi me', 'You cannot send a message to yourself.'],
    ['/msgto nobody hi', 'User nobody does not exist.'],
    ['/MSGTO obiwan hi', 'Error. Invalid command!'],
    ['/dance', 'Error. Invalid command!'],
    [
      '/creategroup g1',
      'Please enter at least one more active users. Usage: /creategroup GROUPNAME USERNAME [USERNAME ...]',
    ],
    [
      '/creategroup bad_name obiwan',
      'Group name must contain only letters and digits: bad_name. Usage: /creategroup GROUPNAME USERNAME [USERNAME ...]',
    ],
    ['/joingroup nope', "Groupchat nope doesn't exist."],
    ['/groupmsg nope hi', 'The group chat does not exist.'],
    [
      '/p2pvideo obiwan no-such-file.mp4',
      'File no-such-file.mp4 does not exist. Usage: /p2pvideo USERNAME FILENAME',
    ],
  ])('%s → %s', async (line, expected) => {
    expect(await command('Yoda', line)).toBe(expected);
  });

  it('runs a group chat: create, join, send to joined members only', async () => {
    expect(await command('Yoda', '/creategroup g1 obiwan Hans')).toBe('Group chat created g1');
    await server.waitFor('room name: g1');
    await clients.obiwan!.waitFor('Yoda added you to group chat g1.');
    expect(await readLog('g1_messagelog.txt')).toBe('');
    expect(await command('Yoda', '/creategroup g1 obiwan')).toBe(
      'Failed to create the group chat g1: group name exists!',
    );
    expect(await command('obiwan', '/joingroup g1')).toBe(
      'Joined the group chat: g1 successfully.',
    );
    expect(await command('obiwan', '/joingroup g1')).toBe('You have already joined Groupchat g1');
    expect(await command('vader', '/joingroup g1')).toMatch(/not invited/);
    expect(await command('vader', '/groupmsg g1 let me in')).toBe(
      'You are not in this group chat.',
    );
    expect(await command('Hans', '/groupmsg g1 early')).toBe(
      'Please join the group before sending messages.',
    );
    expect(await command('Yoda', '/groupmsg g1 May the   Force be with you')).toBe(
      'Group chat message sent.',
    );
    await clients.obiwan!.waitFor(new RegExp(`${TS}, g1, Yoda: May the   Force be with you\n`));
    // Hans (invited, not joined) gets nothing: a later direct message arrives, the group one did not.
    await command('Yoda', '/msgto Hans after the group message');
    await clients.Hans!.waitFor('Yoda: after the group message');
    expect(clients.Hans!.stdout).not.toContain('May the');
    expect(clients.Yoda!.stdout).not.toMatch(/g1, Yoda:/);
    expect(await readLog('g1_messagelog.txt')).toMatch(
      new RegExp(`^1; ${TS}; Yoda; May the   Force be with you\n$`),
    );
  });

  it('creates nothing when a listed user is offline or unknown', async () => {
    expect(await command('Yoda', '/creategroup g2 obiwan nobody')).toMatch(/nobody/);
    expect(await command('Yoda', '/joingroup g2')).toBe("Groupchat g2 doesn't exist.");
  });

  it('survives a client that sends garbage and an endless line', async () => {
    const sock = net.connect(port, '127.0.0.1');
    // The server speaks TLS: garbage fails the handshake and the server resets the socket.
    sock.on('error', () => {});
    await new Promise((resolve) => sock.once('connect', resolve));
    sock.resume();
    sock.write(
      'hello?\n{"v":1}\n\x00\x01\x02\n{"v":1,"id":1,"type":"msgto","to":"obiwan","text":"x"}\n',
    );
    sock.write(Buffer.alloc(200_000, 0x41));
    await new Promise((resolve) => sock.once('close', resolve));
    expect(await command('obiwan', '/msgto Yoda still here')).toMatch(/^message sent at/);
    await clients.Yoda!.waitFor('obiwan: still here');
  });

  it('/logout says bye, exits 0 and renumbers userlog.txt', async () => {
    clients.obiwan!.line('/logout');
    expect(await clients.obiwan!.exited).toBe(0);
    expect(clients.obiwan!.stdout.trimEnd().endsWith('Bye, obiwan!')).toBe(true);
    await server.waitFor('obiwan logout');
    const lines = await userlogUsers(['Yoda', 'Hans', 'vader']);
    expect(lines.map((l) => l.split('; ').filter((_, i) => i === 0 || i === 2))).toEqual([
      ['1', 'Yoda'],
      ['2', 'Hans'],
      ['3', 'vader'],
    ]);
    await clients.Yoda!.waitFor('obiwan logged out.');
    // Offline but known: the message waits for obiwan's next login.
    expect(await command('Yoda', '/msgto obiwan are you there')).toMatch(
      new RegExp(`^obiwan is offline: message queued at ${TS}, delivered when they log in\\.$`),
    );
  });

  it('logs out a killed client when its connection drops', async () => {
    clients.Hans!.kill('SIGKILL');
    await server.waitFor('Hans logout');
    const lines = await userlogUsers(['Yoda', 'vader']);
    expect(lines.map((l) => l.split('; ')[2])).toEqual(['Yoda', 'vader']);
    expect(lines[1]!.startsWith('2; ')).toBe(true);
    expect(await command('Yoda', '/activeuser')).toMatch(/^vader, /);
  });

  it('logs out on end of input', async () => {
    clients.vader!.end();
    expect(await clients.vader!.exited).toBe(0);
    expect(clients.vader!.stdout.trimEnd().endsWith('Bye, vader!')).toBe(true);
    expect(await command('Yoda', '/activeuser')).toBe('no other active user');
    // Errors never reached the message log; the queued message did.
    expect((await readLog('messagelog.txt')).trim().split('\n')).toHaveLength(4);
  });
});
