/**
 * Three server nodes on one Redis, users spread across them: every command works across
 * nodes as it does on one server. Real redis-server, real CLI processes on loopback.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_LIST } from '../../src/presentation/help.js';
import { CliProcess } from '../helpers/cli-process.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { command, TS } from '../helpers/plain-command.js';
import { freePort } from '../helpers/redis-server.js';
import { makeTempDir, writeCredentials } from '../helpers/temp-dir.js';

let cluster: TestCluster;
let yoda: CliProcess; // node 1
let obiwan: CliProcess; // node 2
let hans: CliProcess; // node 3

beforeAll(async () => {
  // Node 3's clock runs 5 s ahead of the others' (libfaketime).
  cluster = await startCluster(3, [], { 2: ['faketime', '-f', '+5s'] });
  yoda = await cluster.login(0, 'Yoda');
  obiwan = await cluster.login(1, 'obiwan');
  hans = await cluster.login(2, 'Hans');
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

describe('three nodes on one Redis', () => {
  it('lists the users of every node in /activeuser', async () => {
    const out = await command(yoda, '/activeuser');
    expect(out).toContain('obiwan, 127.0.0.1');
    expect(out).toContain('Hans, 127.0.0.1');
    expect(out).not.toContain('Yoda,');
  });

  it('refuses a second login of a user signed in on another node', async () => {
    const t = await makeTempDir();
    const proc = new CliProcess(['client', '127.0.0.1', String(cluster.nodes[2]!.port), '0'], {
      cwd: t.dir,
    });
    try {
      await proc.waitFor('Username: ');
      proc.line('Yoda');
      await proc.waitFor('Password: ');
      proc.line('wise@!manbaby');
      await proc.waitFor('Yoda is already logged in from another terminal.');
    } finally {
      proc.kill();
      await proc.exited;
      await t.cleanup();
    }
  });

  it('delivers a direct message from node 1 to node 2, with its receipt', async () => {
    const from = obiwan.stdout.length;
    expect(await command(yoda, '/msgto obiwan across the nodes')).toMatch(
      new RegExp(`^message sent at ${TS}\\.$`),
    );
    await obiwan.waitFor(/Yoda: across the nodes/, { from });
    await yoda.waitFor(/obiwan received your message sent at/);
  });

  it('broadcasts to every node', async () => {
    const a = obiwan.stdout.length;
    const b = hans.stdout.length;
    await command(yoda, '/broadcast hello all nodes');
    await obiwan.waitFor('hello all nodes', { from: a });
    await hans.waitFor('hello all nodes', { from: b });
  });

  it('runs a group across three nodes', async () => {
    expect(await command(yoda, '/creategroup council obiwan Hans')).toBe(
      'Group chat created council',
    );
    await obiwan.waitFor('Yoda added you to group chat council.');
    await hans.waitFor('Yoda added you to group chat council.');
    expect(await command(obiwan, '/joingroup council')).toBe(
      'Joined the group chat: council successfully.',
    );
    expect(await command(hans, '/joingroup council')).toBe(
      'Joined the group chat: council successfully.',
    );
    const a = yoda.stdout.length;
    const b = obiwan.stdout.length;
    expect(await command(hans, '/groupmsg council from node three')).toBe(
      'Group chat message sent.',
    );
    await yoda.waitFor('from node three', { from: a });
    await obiwan.waitFor('from node three', { from: b });
    // The name is the cluster's: another node cannot create it again.
    expect(await command(hans, '/creategroup council Yoda')).toBe(
      'Failed to create the group chat council: group name exists!',
    );
  });

  it('sends a file with /p2pvideo from a user on node 1 to one on node 2', async () => {
    const content = randomBytes(300_000);
    await fs.writeFile(path.join(cluster.dirOf(yoda), 'clip.bin'), content);
    const a = yoda.stdout.length;
    const b = obiwan.stdout.length;
    yoda.line('/p2pvideo obiwan clip.bin');
    await yoda.waitFor('clip.bin has been uploaded', { from: a, timeoutMs: 60_000 });
    await obiwan.waitFor('Received clip.bin from Yoda', { from: b, timeoutMs: 60_000 });
    const got = await fs.readFile(path.join(cluster.dirOf(obiwan), 'Yoda_clip.bin'));
    expect(got.equals(content)).toBe(true);
  });

  it('sends a file with /groupvideo to members on two other nodes', async () => {
    const content = randomBytes(200_000);
    await fs.writeFile(path.join(cluster.dirOf(yoda), 'team.bin'), content);
    const from = yoda.stdout.length;
    yoda.line('/groupvideo council team.bin');
    await yoda.waitFor('Sending team.bin to 2 members of council: obiwan, Hans', { from });
    for (const user of [obiwan, hans]) {
      await user.waitFor('Received team.bin from Yoda', { timeoutMs: 60_000 });
      const got = await fs.readFile(path.join(cluster.dirOf(user), 'Yoda_team.bin'));
      expect(got.equals(content)).toBe(true);
    }
  });

  it('shows history kept by another node', async () => {
    const out = await command(obiwan, '/history Yoda');
    expect(out).toContain('across the nodes');
  });

  it('blocks across nodes', async () => {
    expect(await command(hans, '/block Yoda')).toMatch(/blocked/i);
    expect(await command(yoda, '/msgto Hans are you there')).toBe(
      'Hans has blocked you; your message was not delivered.',
    );
    const list = await command(yoda, '/activeuser');
    expect(list).not.toContain('Hans,');
    expect(await command(hans, '/unblock Yoda')).toMatch(/unblocked/i);
  });

  it('tells away across nodes and lists last seen', async () => {
    const from = yoda.stdout.length;
    await command(obiwan, '/away in a meeting');
    await yoda.waitFor('obiwan is away: in a meeting', { from });
    const sent = yoda.stdout.length;
    await command(yoda, '/msgto obiwan ping');
    // The away line is a notice to command(); the raw output has it after the acknowledgement.
    expect(yoda.stdout.slice(sent)).toMatch(
      new RegExp(`message sent at ${TS}\\.\\nobiwan is away: in a meeting\\n`),
    );
    await command(obiwan, '/away');
    const seen = await command(hans, '/lastseen 5');
    expect(seen).toContain('obiwan');
    expect(seen).toContain('Yoda');
  });

  it("numbers direct messages cluster-wide across the nodes' logs", async () => {
    const from = hans.stdout.length;
    expect(await command(obiwan, '/msgto Hans one')).toMatch(/^message sent at/);
    // Its arrival prints a prompt of its own: wait for it before Hans types.
    await hans.waitFor('obiwan: one', { from });
    await hans.waitFor(COMMAND_LIST, { from: hans.stdout.indexOf('obiwan: one', from) });
    expect(await command(hans, '/msgto Yoda two')).toMatch(/^message sent at/);
    const numbers: number[] = [];
    for (let i = 0; i < 3; i++) {
      for (const line of (await cluster.readLog(i, 'messagelog.txt')).split('\n')) {
        if (line) numbers.push(Number(line.split('; ')[0]));
      }
    }
    numbers.sort((x, y) => x - y);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    const logs = await Promise.all([0, 1, 2].map((i) => cluster.readLog(i, 'messagelog.txt')));
    expect(numbers.length, JSON.stringify(logs)).toBeGreaterThanOrEqual(4);
  });
});

describe('lock-out across nodes', () => {
  /** Types a username and password into a new client on node `i`; resolves with its output. */
  async function attempt(i: number, password: string, expect: string): Promise<void> {
    const t = await makeTempDir();
    const proc = new CliProcess(['client', '127.0.0.1', String(cluster.nodes[i]!.port), '0'], {
      cwd: t.dir,
    });
    try {
      await proc.waitFor('Username: ');
      proc.line('Tiger');
      await proc.waitFor('Password: ');
      proc.line(password);
      await proc.waitFor(expect);
    } finally {
      proc.kill();
      await proc.exited;
      await t.cleanup();
    }
  }

  it('counts failed logins on every node toward one account', async () => {
    // Three attempts allowed: two wrong on node 1, the third on node 2 blocks the account.
    await attempt(0, 'wrong-1', 'Invalid Password. Please try again');
    await attempt(0, 'wrong-2', 'Invalid Password. Please try again');
    await attempt(
      1,
      'wrong-3',
      'Invalid Password. Your account has been blocked. Please try again later',
    );
    // Blocked on node 3 as well, even with the right password.
    await attempt(
      2,
      'password123!',
      'Your account is blocked due to multiple login failures. Please try again later',
    );
  });
});

describe('clocks', () => {
  it("keeps one sender's order when they move to a node whose clock is 5 s behind", async () => {
    const from = yoda.stdout.length;
    await command(hans, '/msgto Yoda skew-1'); // node 3, stamped 5 s ahead
    hans.line('/logout');
    await hans.exited;
    hans = await cluster.login(0, 'Hans'); // node 1
    await command(hans, '/msgto Yoda skew-2');
    await yoda.waitFor('Hans: skew-2', { from });
    const shown = yoda.stdout.slice(from);
    expect(shown.indexOf('Hans: skew-1')).toBeGreaterThan(-1);
    expect(shown.indexOf('Hans: skew-1')).toBeLessThan(shown.indexOf('Hans: skew-2'));
    const history = await command(yoda, '/history Hans');
    expect(history.indexOf('skew-1')).toBeGreaterThan(-1);
    expect(history.indexOf('skew-1')).toBeLessThan(history.indexOf('skew-2'));
  });
});

describe('a node that cannot reach Redis', () => {
  it('says so and exits with an error code', async () => {
    const port = await freePort();
    const t = await makeTempDir();
    try {
      await writeCredentials(t.dir);
      const proc = new CliProcess(
        ['server', '0', '3', '--host', '127.0.0.1', '--redis', `redis://127.0.0.1:${port}`],
        { cwd: t.dir },
      );
      expect(await proc.exited).toBe(1);
      expect(proc.stderr).toContain(`Cannot reach Redis at redis://127.0.0.1:${port}`);
      expect(proc.stdout).not.toContain('listening');
    } finally {
      await t.cleanup();
    }
  });
});
