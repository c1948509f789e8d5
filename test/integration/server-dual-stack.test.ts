/** `--host ::` and `::1`: control over IPv6 and IPv4, binding answers in the family they came in. */
import dgram from 'node:dgram';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { UdpGrant } from '../../src/protocol/control.js';
import { startServer } from '../../src/server/server.js';
import { decodePath } from '../../src/transfer/path/packet.js';
import { TestClient } from '../helpers/server-client.js';
import { CREDENTIALS, removeDir, USERS, useTestServer } from '../helpers/server-fixture.js';
import { bindPacket, grantKeys, UdpPeer } from '../helpers/udp-peer.js';

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function loginOver(host: string, port: number, username: string) {
  const client = await TestClient.connect(port, host);
  closers.push(() => client.destroy());
  const reply = await client.ok('login', { username, password: USERS[username], udpPort: 6000 });
  return reply.udp as UdpGrant;
}

async function bindOver(host: string, grant: UdpGrant) {
  const p = await UdpPeer.open(host);
  closers.push(() => p.close());
  await p.send(bindPacket(grant), grant.port, host);
  const answer = await p.next();
  const decoded = decodePath(answer.data, grantKeys(grant).key);
  return {
    port: p.port,
    mapped: decoded.ok && 'mapped' in decoded.value ? decoded.value.mapped : null,
  };
}

describe('server on ::, dual-stack', () => {
  const h = useTestServer({ host: '::' });

  it('accepts clients over ::1 and 127.0.0.1 and maps each BIND in its own family', async () => {
    const v6 = await loginOver('::1', h.t.port, 'Yoda');
    const v4 = await loginOver('127.0.0.1', h.t.port, 'obiwan');
    const six = await bindOver('::1', v6);
    expect(six.mapped).toEqual({ address: '::1', port: six.port });
    const four = await bindOver('127.0.0.1', v4);
    // Not `::ffff:127.0.0.1`: an IPv4 client is told (and logged) as plain IPv4.
    expect(four.mapped).toEqual({ address: '127.0.0.1', port: four.port });
    const userlog = await h.t.readLog('userlog.txt');
    expect(userlog).toMatch(/; obiwan; 127\.0\.0\.1; 6000\n/);
    expect(userlog).toMatch(/; Yoda; ::1; 6000\n/);
  });
});

describe('server on ::1', () => {
  const h = useTestServer({ host: '::1' });

  it('serves control and binding over IPv6', async () => {
    const grant = await loginOver('::1', h.t.port, 'Yoda');
    const { mapped, port } = await bindOver('::1', grant);
    expect(mapped).toEqual({ address: '::1', port });
  });
});

describe('UDP start errors', () => {
  it('names the UDP port when it is taken, and leaves nothing listening', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessenger-udp-'));
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    const udpPort = taken.address().port;
    try {
      await writeFile(path.join(dir, 'credentials.txt'), CREDENTIALS);
      const start = startServer({
        host: '127.0.0.1',
        port: 0,
        udpPort,
        maxAttempts: 3,
        credentialsPath: path.join(dir, 'credentials.txt'),
        logDir: path.join(dir, 'logs'),
        console: () => {},
      });
      await expect(start).rejects.toMatchObject({
        code: 'EADDRINUSE',
        udpPort,
        message: expect.stringMatching(
          new RegExp(`^Cannot bind UDP port ${udpPort} on 127\\.0\\.0\\.1`),
        ),
      });
    } finally {
      taken.close();
      await removeDir(dir);
    }
  });
});
