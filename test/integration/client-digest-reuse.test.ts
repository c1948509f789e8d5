/**
 * The presenter's digest cache through real client cores, a real server and real UDP engines:
 * the same file sent to a second audience is not hashed again; once changed, it is.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ChatClient } from '../../src/client/chat-client.js';
import type { TransferInfo } from '../../src/client/transfers.js';
import { hashFile } from '../../src/transfer/files/hash.js';
import { useClientCores } from '../helpers/client-cores.js';
import { sha256Of, writeTestFile } from '../helpers/transfer-harness.js';

function received(c: ChatClient): Promise<TransferInfo> {
  return new Promise((resolve, reject) => {
    c.once('transfer-complete', resolve);
    c.once('transfer-failed', (info) => reject(new Error(info.error)));
  });
}

describe('presenter digest cache', () => {
  const cores = useClientCores();
  let hashed: string[];
  beforeEach(() => {
    hashed = [];
  });

  it('hashes once for two audiences, and again after the file changed', async () => {
    const { client: yoda } = await cores.client('Yoda', (file) => {
      hashed.push(file);
      return hashFile(file);
    });
    const { client: obiwan, downloads: obiwanDir } = await cores.client('obiwan');
    const { client: hans, downloads: hansDir } = await cores.client('Hans');
    const file = await writeTestFile(await cores.dir(), 'talk.mp4', 3 * 1024 * 1024 + 17);

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
