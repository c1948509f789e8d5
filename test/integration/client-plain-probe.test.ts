/**
 * The plain-text probe of `--insecure-plain` on the injected clock: a server that accepts and
 * never answers is reported once the probe time passes on a manual clock, without waiting.
 */
import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { Connection, ConnectionError } from '../../src/client/connection.js';
import { ManualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';

const servers: net.Server[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

it('a silent server fails the plain probe when the manual clock passes 10 s', async () => {
  const server = net.createServer((socket) => sockets.push(socket));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  const clock = new ManualClock(0);
  const opening = Connection.open(
    '127.0.0.1',
    port,
    silentLogger,
    { tls: false, probe: true },
    clock,
  );
  const outcome = opening.then(
    () => null,
    (err: unknown) => err,
  );
  while (clock.pending === 0) await new Promise((r) => setTimeout(r, 5));
  clock.advance(9_999);
  expect(
    await Promise.race([outcome, new Promise((r) => setTimeout(() => r('still waiting'), 50))]),
  ).toBe('still waiting');
  clock.advance(1);
  const err = await outcome;
  expect(err).toBeInstanceOf(ConnectionError);
  expect((err as ConnectionError).code).toBe('EPLAINTOTLS');
});
