/**
 * The limit options through the real CLI: the server's login time limit and per-address
 * failed-login budget, and the audience's file size cap.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { expect, it } from 'vitest';
import { CliProcess, loginClient, startServerProcess } from '../helpers/cli-process.js';
import { useCliWorkspace } from '../helpers/cli-workspace.js';
import { SAMPLE_CREDENTIALS as PW } from '../helpers/temp-dir.js';

const ws = useCliWorkspace();
const { procs } = ws;

function client(port: number, args: string[] = []): CliProcess {
  const c = new CliProcess(['client', '127.0.0.1', String(port), '0', ...args], { cwd: ws.dir });
  procs.push(c);
  return c;
}

async function tryLogin(c: CliProcess, user: string, password: string): Promise<void> {
  await c.waitFor('Username: ');
  c.line(user);
  await c.waitFor('Password: ');
  c.line(password);
}

it('--login-timeout and --max-failed-logins-per-minute take effect', async () => {
  const { proc, port } = await startServerProcess(ws.dir, [
    '--login-timeout',
    '1',
    '--max-failed-logins-per-minute',
    '2',
  ]);
  procs.push(proc);
  // A connection that never starts TLS is cut after 1 s (the default would wait 30 s, past
  // this test's time-out).
  const silent = net.connect(port, '127.0.0.1');
  silent.on('error', () => {});
  await new Promise((resolve) => silent.once('close', resolve));

  // Wrong passwords for two names, each from its own client (the plain client asks for the
  // same name's password again), then a third name from the same address.
  for (const [user, password] of [
    ['Yoda', 'wrong-1'],
    ['obiwan', 'wrong-2'],
  ] as const) {
    const guesser = client(port);
    await tryLogin(guesser, user, password);
    await guesser.waitFor('Invalid Password. Please try again');
    guesser.kill();
  }
  const third = client(port);
  await tryLogin(third, 'Hans', PW.Hans!);
  await third.waitFor(/Too many failed logins from your address\. Please try again in \d+ s\./);
}, 20_000);

it('--max-file-size makes the audience decline a larger offer with the reason', async () => {
  const { proc, port } = await startServerProcess(ws.dir);
  procs.push(proc);
  const yodaDir = path.join(ws.dir, 'yoda');
  const obiwanDir = path.join(ws.dir, 'obiwan');
  await fs.mkdir(yodaDir);
  await fs.mkdir(obiwanDir);
  await fs.writeFile(path.join(yodaDir, 'big.bin'), Buffer.alloc(2048, 7));
  const yoda = await loginClient(yodaDir, port, 'Yoda', PW.Yoda!);
  procs.push(yoda);
  const obiwan = await loginClient(obiwanDir, port, 'obiwan', PW.obiwan!, [
    '--max-file-size',
    '1K',
  ]);
  procs.push(obiwan);
  yoda.line('/p2pvideo obiwan big.bin');
  await obiwan.waitFor('declined: the file (2.0 KiB) is larger than this client accepts (1.0 KiB)');
  expect(await fs.readdir(obiwanDir)).not.toContain('Yoda_big.bin');
});
