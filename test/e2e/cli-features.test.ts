/**
 * The features beyond the assignment through the real CLI: a server process with a data
 * folder and plain clients as processes, checked by what each prints.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_LIST, commandHelp } from '../../src/presentation/help.js';
import { CliProcess, loginClient, startServerProcess } from '../helpers/cli-process.js';
import { command, TS } from '../helpers/plain-command.js';
import { makeTempDir, SAMPLE_CREDENTIALS as PW, writeCredentials } from '../helpers/temp-dir.js';

const SERVER_ARGS = ['--credentials', 'credentials.txt', '--log-dir', 'logs', '--data-dir', 'data'];
const temps: Array<() => Promise<void>> = [];
const procs: CliProcess[] = [];
let serverDir: string;
let server: CliProcess;
let port: number;
const clients: Record<string, CliProcess> = {};
const dirs: Record<string, string> = {};

async function folder(): Promise<string> {
  const t = await makeTempDir();
  temps.push(t.cleanup);
  return t.dir;
}

async function login(user: string, port_ = port): Promise<CliProcess> {
  dirs[user] ??= await folder();
  const proc = await loginClient(dirs[user]!, port_, user, PW[user]!);
  procs.push(proc);
  clients[user] = proc;
  return proc;
}

async function logout(user: string): Promise<void> {
  clients[user]!.line('/logout');
  expect(await clients[user]!.exited).toBe(0);
  await server.waitFor(`${user} logout`);
}

const run = (user: string, line: string) => command(clients[user]!, line);

/** Yoda sends a file to a group and waits for the result and every "uploaded" line. */
async function sendGroupVideo(file: string, to: string[]): Promise<void> {
  const yoda = clients.Yoda!;
  const from = yoda.stdout.length;
  const lists = yoda.count(COMMAND_LIST);
  yoda.line(`/groupvideo jedi ${file}`);
  const members = `${to.length} member${to.length === 1 ? '' : 's'}`;
  await yoda.waitFor(`Sending ${file} to ${members} of jedi: ${to.join(', ')}\n`, { from });
  while (yoda.count(COMMAND_LIST) < lists + 1 + to.length) {
    await yoda
      .waitFor(COMMAND_LIST, { from: yoda.stdout.length - 1, timeoutMs: 60_000 })
      .catch(() => {});
  }
  const uploaded = yoda.stdout.slice(from).split(`${file} has been uploaded`).length - 1;
  expect(uploaded).toBe(to.length);
}

beforeAll(async () => {
  serverDir = await folder();
  await writeCredentials(serverDir);
  ({ proc: server, port } = await startServerProcess(serverDir, SERVER_ARGS));
  procs.push(server);
  await login('Yoda');
  await login('obiwan');
});

afterAll(async () => {
  for (const p of procs) p.kill();
  for (const cleanup of temps) await cleanup();
});

describe('plain client features', () => {
  it('/help lists every command with what it does', async () => {
    expect(await run('Yoda', '/help')).toBe(commandHelp().join('\n'));
    expect(await run('Yoda', '/history')).toBe(
      'Missing user or group name. Usage: /history USERNAME|GROUPNAME [N]',
    );
  });

  it('announces logins and logouts to contacts (direct-message partners)', async () => {
    await login('Hans');
    await run('Hans', '/msgto obiwan hello');
    await run('Yoda', '/msgto Hans hi');
    await logout('Hans');
    await clients.obiwan!.waitFor('Hans logged out.');
    await clients.Yoda!.waitFor('Hans logged out.');
    const from = clients.Yoda!.stdout.length;
    await login('Hans');
    await clients.Yoda!.waitFor('Hans logged in.', { from });
    await logout('Hans');
  });

  it('queues a message to an offline user and delivers it at login; the sender gets a receipt', async () => {
    const out = await run('Yoda', '/msgto Hans are you there?');
    expect(out).toMatch(
      new RegExp(`^Hans is offline: message queued at ${TS}, delivered when they log in\\.$`),
    );
    const from = clients.Yoda!.stdout.length;
    const hans = await login('Hans');
    await hans.waitFor(new RegExp(`${TS}, Yoda: are you there\\?\\n${escapeRegExp(COMMAND_LIST)}`));
    await clients.Yoda!.waitFor(new RegExp(`Hans received your message sent at ${TS}\\.`), {
      from,
    });
  });

  it('prints a receipt for a message to an online user', async () => {
    const from = clients.Yoda!.stdout.length;
    expect(await run('Yoda', '/msgto obiwan ping')).toMatch(
      new RegExp(`^message sent at ${TS}\\.$`),
    );
    await clients.Yoda!.waitFor(new RegExp(`obiwan received your message sent at ${TS}\\.`), {
      from,
    });
  });

  it('/history shows the last N messages of a conversation', async () => {
    await run('obiwan', '/msgto Yoda pong');
    await clients.Yoda!.waitFor(new RegExp(`${TS}, obiwan: pong\\n`));
    const out = await run('Yoda', '/history obiwan 2');
    expect(out).toMatch(
      new RegExp(`^Last 2 messages with obiwan:\\n${TS}, Yoda: ping\\n${TS}, obiwan: pong$`),
    );
    expect(await run('Yoda', '/history vader')).toBe('No messages with vader yet.');
  });

  it('/broadcast reaches every other online user', async () => {
    expect(await run('Yoda', '/broadcast meeting at noon')).toBe('Broadcast sent to 2 users.');
    for (const u of ['obiwan', 'Hans']) {
      await clients[u]!.waitFor(new RegExp(`${TS}, Yoda \\(broadcast\\): meeting at noon`));
    }
  });

  it('/block refuses messages and hides you; /unblock and /blocked', async () => {
    expect(await run('Yoda', '/block Hans')).toBe(
      'Hans is blocked: their messages and files are refused and they cannot see you online.',
    );
    expect(await run('Yoda', '/blocked')).toBe('Blocked users: Hans');
    expect(await run('Hans', '/msgto Yoda hello')).toBe(
      'Yoda has blocked you; your message was not delivered.',
    );
    expect(await run('Hans', '/activeuser')).toMatch(/^obiwan, /);
    expect(await run('Hans', '/activeuser')).not.toMatch(/Yoda/);
    expect(await run('Yoda', '/unblock Hans')).toBe('Hans is unblocked.');
    expect(await run('Yoda', '/blocked')).toBe('You have not blocked anyone.');
  });

  it('/away and back are told to others and to senders', async () => {
    expect(await run('obiwan', '/away at the temple')).toBe('You are away: at the temple');
    await clients.Yoda!.waitFor('obiwan is away: at the temple');
    const from = clients.Yoda!.stdout.length;
    clients.Yoda!.line('/msgto obiwan where are you');
    await clients.Yoda!.waitFor(
      new RegExp(`message sent at ${TS}\\.\\nobiwan is away: at the temple\\n`),
      {
        from,
      },
    );
    expect(await run('Yoda', '/activeuser')).toMatch(/obiwan, .* \(away: at the temple\)/);
    await clients.obiwan!.waitFor('Yoda: where are you');
    expect(await run('obiwan', '/away')).toBe('You are back.');
    await clients.Yoda!.waitFor('obiwan is back.');
  });

  it('/lastseen lists who was around lately', async () => {
    const out = await run('Yoda', '/lastseen');
    expect(out.split('\n')[0]).toBe('Users seen in the last 60 minutes:');
    expect(out).toContain('obiwan, online now');
    expect(out).toContain('Hans, online now');
    expect(await run('Yoda', '/lastseen abc')).toBe(
      'MINUTES must be a whole number above 0. Usage: /lastseen [MINUTES]',
    );
  });

  it('/groups, /members, /invite and /leavegroup', async () => {
    expect(await run('Yoda', '/creategroup jedi obiwan')).toBe('Group chat created jedi');
    await clients.obiwan!.waitFor(`Yoda added you to group chat jedi.`);
    await clients.obiwan!.waitFor(new RegExp(`jedi to join\\.\\n${escapeRegExp(COMMAND_LIST)}`));
    expect(await run('obiwan', '/groups')).toBe(
      'jedi: invited by Yoda, 2 members. Type /joingroup jedi to join.',
    );
    await run('obiwan', '/joingroup jedi');
    expect(await run('obiwan', '/invite jedi Hans')).toBe('Invited Hans to group chat jedi.');
    await clients.Hans!.waitFor('obiwan added you to group chat jedi.');
    expect(await run('Hans', '/members jedi')).toBe(
      'Members of jedi:\nYoda, joined, online\nobiwan, joined, online\nHans, invited, online',
    );
    await run('Hans', '/joingroup jedi');
    expect(await run('Yoda', '/groups')).toBe('jedi: joined, 3 members');
    expect(await run('Hans', '/leavegroup jedi')).toBe('You left the group chat jedi.');
    expect(await run('Hans', '/groups')).toBe('You are in no group chats and have no invitations.');
    const from = clients.Hans!.stdout.length;
    expect(await run('Yoda', '/invite jedi Hans')).toBe('Invited Hans to group chat jedi.');
    await clients.Hans!.waitFor(
      `Yoda added you to group chat jedi. Type /joingroup jedi to join.\n${COMMAND_LIST}`,
      { from },
    );
    expect(await run('Hans', '/joingroup jedi')).toBe('Joined the group chat: jedi successfully.');
  });

  it('/groupvideo sends one file to every joined online member', async () => {
    const content = randomBytes(200_000);
    await fs.writeFile(path.join(dirs.Yoda!, 'clip.mp4'), content);
    // The result and each "uploaded" line come in whichever order the transfers finish.
    await sendGroupVideo('clip.mp4', ['obiwan', 'Hans']);
    for (const u of ['obiwan', 'Hans']) {
      await clients[u]!.waitFor(`Yoda_clip.mp4\n${COMMAND_LIST}`, { timeoutMs: 60_000 });
      const got = await fs.readFile(path.join(dirs[u]!, 'Yoda_clip.mp4'));
      expect(got.equals(content)).toBe(true);
    }
    // Hans is a joined member but offline now: the next file goes to obiwan only.
    await logout('Hans');
    await fs.writeFile(path.join(dirs.Yoda!, 'clip2.mp4'), content.subarray(0, 1000));
    await sendGroupVideo('clip2.mp4', ['obiwan']);
    await clients.obiwan!.waitFor(`Yoda_clip2.mp4\n${COMMAND_LIST}`, { timeoutMs: 60_000 });
    expect(await run('Yoda', '/groupvideo jedi missing.mp4')).toBe(
      'File missing.mp4 does not exist. Usage: /groupvideo GROUPNAME FILENAME',
    );
  });

  it('group messages wait for joined members who are offline', async () => {
    await logout('obiwan');
    expect(await run('Yoda', '/groupmsg jedi see you later')).toBe('Group chat message sent.');
    const obiwan = await login('obiwan');
    await obiwan.waitFor(
      new RegExp(`${TS}, jedi, Yoda: see you later\\n${escapeRegExp(COMMAND_LIST)}`),
    );
    expect(await run('obiwan', '/history jedi')).toMatch(
      new RegExp(`^Last 1 message in group chat jedi:\\n${TS}, jedi, Yoda: see you later$`),
    );
  });
});

describe('registration and idle time-out', () => {
  let other: CliProcess;
  let otherPort: number;
  let dir: string;

  beforeAll(async () => {
    dir = await folder();
    await writeCredentials(dir);
    // 0.02 minutes: the idle logout comes about a second after login.
    ({ proc: other, port: otherPort } = await startServerProcess(dir, [
      ...SERVER_ARGS,
      '--allow-register',
      '--idle-timeout',
      '0.02',
    ]));
    procs.push(other);
  });

  it('lets an unknown user choose a password, asked twice', async () => {
    const c = new CliProcess(['client', '127.0.0.1', String(otherPort), '0'], {
      cwd: await folder(),
    });
    procs.push(c);
    await c.waitFor('Username: ');
    c.line('Luke');
    await c.waitFor('Password: ');
    c.line('force#1');
    await c.waitFor('Repeat password: ');
    c.line('force#2');
    await c.waitFor('Passwords do not match. Please try again');
    await c.waitFor(/Username: $/);
    c.line('Luke');
    c.line('force#1');
    await c.waitFor(/Repeat password: $/);
    c.line('force#1');
    await c.waitFor('Account Luke created.\nWelcome to TESSENGER!');
    await other.waitFor('Luke registered');
    const creds = await fs.readFile(path.join(dir, 'credentials.txt'), 'utf8');
    expect(creds).toMatch(/\nLuke scrypt\$\S+\n$/);
    // Idle for longer than --idle-timeout: logged out with a message, exit 0.
    await c.waitFor('Disconnected by the server: You were logged out after', { timeoutMs: 30_000 });
    expect(await c.exited).toBe(0);
    await other.waitFor('Luke logged out after being idle');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
