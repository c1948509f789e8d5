/**
 * The real CLI across the namespace internet (test/helpers/netns.ts): the server in the
 * server namespace, two clients each behind its own cone NAT. The server sees each client at
 * its router's public address. Needs root + iproute2 + iptables; fails (does not skip) without.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CliProcess, loginClient } from '../helpers/cli-process.js';
import { buildInternet, type Internet, requireNetns } from '../helpers/netns.js';
import { makeTempDir, SAMPLE_CREDENTIALS as PW, writeCredentials } from '../helpers/temp-dir.js';

const PORT = 5000;
let net: Internet;
const cleanups: Array<() => Promise<void>> = [];
const procs: CliProcess[] = [];

async function folder(): Promise<string> {
  const t = await makeTempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

async function login(user: number, name: string): Promise<CliProcess> {
  return loginClient(await folder(), PORT, name, PW[name]!, [], {
    host: net.server.addr,
    netns: net.users[user]!.ns,
    track: (p) => procs.push(p),
  });
}

beforeAll(async () => {
  requireNetns();
  net = await buildInternet({ users: [{ nat: 'cone' }, { nat: 'cone' }] });
  const dir = await folder();
  await writeCredentials(dir);
  const args = ['server', String(PORT), '3', '--host', net.server.addr];
  const server = new CliProcess([...args, '--credentials', 'credentials.txt'], {
    cwd: dir,
    netns: net.server.ns,
  });
  procs.push(server);
  await server.waitFor(`listening on ${net.server.addr}:${PORT}`);
});

afterAll(async () => {
  for (const p of procs) p.kill();
  await net?.destroy();
  for (const c of cleanups) await c();
});

describe('CLI across NAT', () => {
  it('two clients behind cone NAT chat through the server, seen at their public addresses', async () => {
    const yoda = await login(0, 'Yoda');
    const obiwan = await login(1, 'obiwan');
    yoda.line('/activeuser');
    await yoda.waitFor(
      new RegExp(`obiwan, ${net.users[1]!.publicAddr4!.replaceAll('.', '\\.')}, `),
    );
    yoda.line('/msgto obiwan across the wan');
    await obiwan.waitFor(/Yoda: across the wan\n/);
  });
});
