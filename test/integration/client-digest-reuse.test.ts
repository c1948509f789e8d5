/**
 * The presenter's digest cache through real client cores, a real server and real UDP engines:
 * the same file sent to a second audience is not hashed again; once changed, it is.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatClient } from '../../src/client/chat-client.js';
import type { FileHasher } from '../../src/client/file-digest.js';
import type { TransferInfo } from '../../src/client/transfers.js';
import { createTransferEngine } from '../../src/transfer/engine.js';
import { hashFile } from '../../src/transfer/hash.js';
import type { TransferEngine } from '../../src/transfer/types.js';
import { silentLogger } from '../../src/util/logger.js';
import { startTestServer, type TestServer, USERS } from '../helpers/server-fixture.js';
import { sha256Of, tempDir, writeTestFile } from '../helpers/transfer-harness.js';

describe('presenter digest cache', () => {
  let t: TestServer;
  const engines: TransferEngine[] = [];
  const clients: ChatClient[] = [];
  const dirs: string[] = [];
  let hashed: string[];

  async function dir(): Promise<string> {
    const d = await tempDir();
    dirs.push(d);
    return d;
  }

  async function client(user: string, hasher?: FileHasher): Promise<[ChatClient, string]> {
    const engine = await createTransferEngine({ port: 0, host: '127.0.0.1' });
    engines.push(engine);
    const downloadDir = await dir();
    const c = await ChatClient.connect({
      host: '127.0.0.1',
      port: t.port,
      engine,
      downloadDir,
      logger: silentLogger,
      ...(hasher ? { hasher } : {}),
    });
    clients.push(c);
    await c.login(user, USERS[user]!);
    return [c, downloadDir];
  }

  function received(c: ChatClient): Promise<TransferInfo> {
    return new Promise((resolve, reject) => {
      c.once('transfer-complete', resolve);
      c.once('transfer-failed', (info) => reject(new Error(info.error)));
    });
  }

  beforeEach(async () => {
    t = await startTestServer();
    hashed = [];
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.logout().catch(() => undefined);
    for (const e of engines.splice(0)) await e.close();
    await t.close();
    for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
  });

  it('hashes once for two audiences, and again after the file changed', async () => {
    const [yoda] = await client('Yoda', (file) => {
      hashed.push(file);
      return hashFile(file);
    });
    const [obiwan, obiwanDir] = await client('obiwan');
    const [hans, hansDir] = await client('Hans');
    const file = await writeTestFile(await dir(), 'talk.mp4', 3 * 1024 * 1024 + 17);

    const first = received(obiwan);
    await yoda.run({ name: 'p2pvideo', to: 'obiwan', file: file.path });
    expect(await sha256Of((await first).path!)).toBe(file.sha256);

    const second = received(hans);
    await yoda.run({ name: 'p2pvideo', to: 'Hans', file: file.path });
    expect(await sha256Of((await second).path!)).toBe(file.sha256);
    expect(hashed).toEqual([file.path]);
    await yoda.transfers.whenIdle();

    // Same size, new bytes and mtime: hashed again, and what arrives is the new content.
    const changed = await writeTestFile(path.dirname(file.path), 'talk.mp4', file.size, 99);
    await fs.utimes(file.path, new Date(2030, 0, 1), new Date(2030, 0, 1));
    const third = received(hans);
    await yoda.run({ name: 'p2pvideo', to: 'Hans', file: file.path });
    const saved = (await third).path!;
    expect(await sha256Of(saved)).toBe(changed.sha256);
    expect(hashed).toEqual([file.path, file.path]);
    expect((await fs.readdir(obiwanDir)).length).toBe(1);
    expect((await fs.readdir(hansDir)).length).toBe(2);
  });
});
