/** Login dialogue, lock-out and refusals through the real CLI processes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, loginClient, startServerProcess } from '../helpers/cli-process.js';
import { makeTempDir, SAMPLE_CREDENTIALS as PW, writeCredentials } from '../helpers/temp-dir.js';

let dir: string;
let cleanup: () => Promise<void>;
let server: CliProcess;
let port: number;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  await writeCredentials(dir);
  ({ proc: server, port } = await startServerProcess(
    dir,
    ['--credentials', 'credentials.txt', '--log-dir', 'logs'],
    2,
  ));
});
afterAll(async () => {
  server.kill();
  await cleanup();
});

const client = () => new CliProcess(['client', '127.0.0.1', String(port), '0'], { cwd: dir });

describe('login', () => {
  it('asks again after a wrong password, then blocks at the Nth failure', async () => {
    const c = client();
    await c.waitFor('Username: ');
    c.line('Hans');
    await c.waitFor('Password: ');
    c.line('wrong');
    await c.waitFor('Invalid Password. Please try again\nPassword: ');
    c.line('still wrong');
    await c.waitFor('Invalid Password. Your account has been blocked. Please try again later');
    expect(await c.exited).not.toBe(0);
  });

  it('refuses the blocked account from another terminal even with the right password', async () => {
    const c = client();
    await c.waitFor('Username: ');
    c.line('Hans');
    await c.waitFor('Password: ');
    c.line(PW.Hans!);
    await c.waitFor(
      'Your account is blocked due to multiple login failures. Please try again later',
    );
    expect(await c.exited).not.toBe(0);
  });

  it('counts failures per username: another user is unaffected', async () => {
    const c = await loginClient(dir, port, 'vader', PW.vader!);
    c.end();
    expect(await c.exited).toBe(0);
  });

  it('asks for the username again when it is unknown, without a lock-out', async () => {
    const c = client();
    await c.waitFor('Username: ');
    for (let i = 0; i < 3; i++) {
      c.line('Luke');
      await c.waitFor('Password: ', { from: c.stdout.length - 10 });
      c.line('x');
      await c.waitFor(/Invalid Username\. Please try again\nUsername: $/);
    }
    c.line('Yoda');
    await c.waitFor(/Password: $/);
    c.line(PW.Yoda!);
    await c.waitFor('Welcome to TESSENGER!');
    c.line('/logout');
    expect(await c.exited).toBe(0);
  });

  it('refuses a second concurrent login of the same user', async () => {
    const first = await loginClient(dir, port, 'obiwan', PW.obiwan!);
    const second = client();
    await second.waitFor('Username: ');
    second.line('obiwan');
    await second.waitFor('Password: ');
    second.line(PW.obiwan!);
    await second.waitFor('obiwan is already logged in from another terminal.');
    second.end();
    await second.exited;
    first.line('/logout');
    expect(await first.exited).toBe(0);
  });

  it('exits cleanly on end of input before logging in', async () => {
    const c = client();
    await c.waitFor('Username: ');
    c.end();
    expect(await c.exited).toBe(0);
  });
});
