import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ServerConfig, startServer } from '../../src/server/server.js';
import { removeDir, startTestServer, USERS } from '../helpers/server-fixture.js';

/** A config rooted in dir with the given credentials path and port. */
function configIn(dir: string, credentialsPath: string, port = 0): ServerConfig {
  return {
    host: '127.0.0.1',
    port,
    maxAttempts: 3,
    credentialsPath,
    logDir: path.join(dir, 'logs'),
    console: () => {},
  };
}

describe('server start-up and shutdown', () => {
  it('reports malformed credentials lines and serves the good ones', async () => {
    const warnings: string[] = [];
    const t = await startTestServer({
      credentials: `Yoda ${USERS.Yoda}\nbroken line here\n\nobiwan ${USERS.obiwan}\r\nalone\n`,
      logger: {
        debug: () => {},
        info: () => {},
        warn: (m) => warnings.push(m),
        error: () => {},
      },
    });
    try {
      const expected = [
        'credentials.txt line 2 is malformed and was skipped',
        'credentials.txt line 5 is malformed and was skipped',
      ];
      expect(t.lines).toEqual(expected);
      expect(warnings).toEqual(expected);
      await t.login('Yoda');
      await t.login('obiwan');
    } finally {
      await t.close();
      await removeDir(t.dir);
    }
  });

  it('rejects with a clear error when the credentials file is missing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessenger-start-'));
    try {
      const start = startServer(configIn(dir, path.join(dir, 'missing.txt')));
      await expect(start).rejects.toMatchObject({
        code: 'ENOENT',
        message: expect.stringMatching(/^Cannot read credentials file/),
      });
    } finally {
      await removeDir(dir);
    }
  });

  it('rejects with a clear error when the log folder cannot be made', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessenger-start-'));
    try {
      await writeFile(path.join(dir, 'credentials.txt'), 'a b\n');
      await writeFile(path.join(dir, 'logs'), 'a file where the folder should be');
      await expect(
        startServer(configIn(dir, path.join(dir, 'credentials.txt'))),
      ).rejects.toMatchObject({
        code: 'EEXIST',
        message: expect.stringMatching(/^Cannot prepare the log folder/),
      });
    } finally {
      await removeDir(dir);
    }
  });

  it('rejects with EADDRINUSE when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessenger-start-'));
    try {
      await writeFile(path.join(dir, 'credentials.txt'), 'a b\n');
      const start = startServer(configIn(dir, path.join(dir, 'credentials.txt'), port));
      await expect(start).rejects.toMatchObject({
        code: 'EADDRINUSE',
        message: expect.stringContaining(`127.0.0.1:${port}`),
      });
    } finally {
      blocker.close();
      await removeDir(dir);
    }
  });

  it('a second server on a busy port leaves the running one alone and prints nothing', async () => {
    const t = await startTestServer({ credentials: `Yoda ${USERS.Yoda}\nbroken line here\n` });
    try {
      await t.login('Yoda', 6666);
      const before = await t.readLog('userlog.txt');
      const lines: string[] = [];
      await expect(
        startServer({ ...t.config, port: t.port, console: (l) => lines.push(l) }),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(lines).toEqual([]);
      expect(await t.readLog('userlog.txt')).toBe(before);
    } finally {
      await t.close();
      await removeDir(t.dir);
    }
  });

  it('says bye to connected clients on close and leaves no timer behind', async () => {
    const t = await startTestServer();
    try {
      const yoda = await t.login('Yoda');
      const obiwan = await t.login('obiwan');
      const offer = yoda.request('p2p-offer', {
        to: 'obiwan',
        filename: 'f',
        size: 0,
        sha256: '00',
        publicKey: 'k',
      });
      const ended = offer.catch(() => 'closed');
      await obiwan.push('transfer-offer');
      expect(t.clock.pending).toBe(1);
      await t.server.close();
      expect(yoda.pushes('bye')).toEqual([{ type: 'bye', reason: 'server shutting down' }]);
      await yoda.closed;
      await obiwan.closed;
      expect(await ended).toBe('closed');
      expect(t.clock.pending).toBe(0);
      expect(await t.readLog('userlog.txt')).toBe('');
    } finally {
      await t.close();
      await removeDir(t.dir);
    }
  });
});
