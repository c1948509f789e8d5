/**
 * What the audience checks before accepting an offer, through a real client core: a file
 * larger than the free space or the size cap is declined with a clear reason, and a hostile
 * file name is reduced to its last component inside the download folder.
 */
import fs from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatClient } from '../../src/client/chat-client.js';
import { freeBytes, receiveRefusal } from '../../src/client/receive-check.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { createTransferEngine } from '../../src/transfer/engine.js';
import { silentLogger } from '../../src/util/logger.js';
import { startTestServer, type TestServer, USERS } from '../helpers/server-fixture.js';
import { tempDir } from '../helpers/transfer-harness.js';

const OFFER = { filename: 'movie.mp4', sha256: 'ab'.repeat(32), publicKey: `${'A'.repeat(43)}=` };

describe('audience checks before accepting a file', () => {
  let t: TestServer;
  let audience: ChatClient;
  let engine: Awaited<ReturnType<typeof createTransferEngine>>;
  let downloads: string;

  beforeEach(async () => {
    t = await startTestServer();
    downloads = await tempDir();
    engine = await createTransferEngine({ port: 0, host: '127.0.0.1' });
    audience = await ChatClient.connect({
      host: '127.0.0.1',
      port: t.port,
      engine,
      downloadDir: downloads,
      logger: silentLogger,
    });
    await audience.login('obiwan', USERS.obiwan!);
  });
  afterEach(async () => {
    audience.transfers.cancelAll('test over');
    await audience.logout().catch(() => undefined);
    await engine.close();
    await t.close();
  });

  it('declines a file bigger than the free disk space, telling both sides why', async () => {
    const yoda = await t.login('Yoda');
    const failed = new Promise<{ error?: string }>((r) => audience.once('transfer-failed', r));
    const reply = await yoda.fail('p2p-offer', { ...OFFER, to: 'obiwan', size: 2 ** 50 });
    expect(reply.code).toBe(ErrorCode.TransferDeclined);
    expect(reply.message).toMatch(/not enough free disk space: the file needs 1024\.0 TiB/);
    expect((await failed).error).toMatch(/^declined: not enough free disk space/);
    expect(await fs.readdir(downloads)).toEqual([]);
  });

  it('declines a file over the size cap', async () => {
    audience.transfers.receiveLimits = { maxBytes: 1000, reserveBytes: 0 };
    const yoda = await t.login('Yoda');
    const reply = await yoda.fail('p2p-offer', { ...OFFER, to: 'obiwan', size: 5000 });
    expect(reply.message).toContain('is larger than this client accepts (1000 B)');
  });

  it.each(['../../x', 'a/b'])('keeps %j inside the download folder', async (filename) => {
    const yoda = await t.login('Yoda');
    const incoming = new Promise<unknown>((r) => audience.once('transfer-incoming', r));
    await yoda.ok('p2p-offer', { ...OFFER, filename, to: 'obiwan', size: 10 });
    await incoming;
    const parent = await fs.readdir(`${downloads}/..`);
    expect(parent).not.toContain('x');
    for (const name of await fs.readdir(downloads))
      expect(name.startsWith(`Yoda_${filename.split('/').pop()}`)).toBe(true);
  });

  it('receiveRefusal is pure and exact at the boundary', async () => {
    const limits = { maxBytes: 100, reserveBytes: 10 };
    expect(receiveRefusal(90, 100, limits)).toBeNull();
    expect(receiveRefusal(91, 100, limits)).toMatch(/not enough free disk space/);
    expect(receiveRefusal(101, 1e9, limits)).toMatch(/larger than this client accepts/);
    expect(await freeBytes(downloads)).toBeGreaterThan(0);
  });
});
