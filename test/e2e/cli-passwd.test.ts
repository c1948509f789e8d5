/** `tessenger passwd` through the real CLI: hash in place, log in with it, warn about the rest. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { CliProcess, loginClient, startServerProcess } from '../helpers/cli-process.js';
import { useCliWorkspace } from '../helpers/cli-workspace.js';
import { SAMPLE_CREDENTIALS as PW } from '../helpers/temp-dir.js';

const ws = useCliWorkspace();
const { procs } = ws;

async function passwd(user: string, input: string): Promise<CliProcess> {
  const p = new CliProcess(['passwd', user, '--credentials', 'credentials.txt'], { cwd: ws.dir });
  procs.push(p);
  p.child.stdin!.end(input);
  await p.exited;
  return p;
}

it('rehashes one user atomically; the server warns about the plain ones left; login works', async () => {
  const before = await fs.readFile(path.join(ws.dir, 'credentials.txt'), 'utf8');
  const p = await passwd('Yoda', 'new pass with $(metachars)\n');
  expect(p.child.exitCode).toBe(0);
  expect(p.stdout).toContain('saved as a scrypt hash');
  const after = await fs.readFile(path.join(ws.dir, 'credentials.txt'), 'utf8');
  const lines = after.split('\n');
  expect(lines[0]).toMatch(/^Yoda scrypt\$16384\$8\$1\$\S+\$\S+$/);
  expect(lines.slice(1)).toEqual(before.split('\n').slice(1));
  expect((await fs.readdir(ws.dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);

  const { proc: server, port } = await startServerProcess(ws.dir, [
    '--credentials',
    'credentials.txt',
  ]);
  procs.push(server);
  await server.waitFor('listening');
  for (let i = 0; i < 50 && !server.stderr.includes('plain-text'); i++) {
    await new Promise((r) => server.child.stderr!.once('data', r));
  }
  // Every fixture user but the one rehashed.
  const plain = Object.keys(PW).length - 1;
  expect(server.stderr).toContain(
    `${plain} account(s) in credentials.txt have plain-text passwords`,
  );
  expect(server.stderr).not.toContain('Yoda');
  const yoda = await loginClient(ws.dir, port, 'Yoda', 'new pass with $(metachars)');
  procs.push(yoda);
  const obiwan = await loginClient(ws.dir, port, 'obiwan', PW.obiwan!);
  procs.push(obiwan);
});

it('adds a new user, and refuses an empty password without touching the file', async () => {
  expect((await passwd('Luke', 'usetheforce\n')).child.exitCode).toBe(0);
  expect(await fs.readFile(path.join(ws.dir, 'credentials.txt'), 'utf8')).toMatch(
    /\nLuke scrypt\$\S+\n$/,
  );
  const before = await fs.readFile(path.join(ws.dir, 'credentials.txt'), 'utf8');
  const empty = await passwd('Hans', '');
  expect(empty.child.exitCode).toBe(1);
  expect(empty.stderr).toContain('No password given');
  expect(await fs.readFile(path.join(ws.dir, 'credentials.txt'), 'utf8')).toBe(before);
});

it('a running server takes a changed password at the next login, without a restart', async () => {
  const { proc: server, port } = await startServerProcess(ws.dir, [
    '--credentials',
    'credentials.txt',
  ]);
  procs.push(server);
  const first = await loginClient(ws.dir, port, 'obiwan', PW.obiwan!);
  first.end();
  expect(await first.exited).toBe(0);

  expect((await passwd('obiwan', 'a brand new one\n')).child.exitCode).toBe(0);
  expect((await passwd('Leia', 'newcomer\n')).child.exitCode).toBe(0);

  // The old password is refused now; the new one and the new account work.
  const old = new CliProcess(['client', '127.0.0.1', String(port), '0'], { cwd: ws.dir });
  procs.push(old);
  await old.waitFor('Username: ');
  old.line('obiwan');
  await old.waitFor('Password: ');
  old.line(PW.obiwan!);
  await old.waitFor('Invalid Password');
  procs.push(await loginClient(ws.dir, port, 'obiwan', 'a brand new one'));
  procs.push(await loginClient(ws.dir, port, 'Leia', 'newcomer'));
});
