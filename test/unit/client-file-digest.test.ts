/**
 * The presenter's digest cache, on real files: the same file is read once, any change of
 * content, mtime or identity (a file replaced by rename) reads it again.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DigestCache, type FileHasher, MAX_DIGESTS } from '../../src/client/file-digest.js';
import { hashFile } from '../../src/transfer/files/hash.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('DigestCache', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hashed: string[];
  let cache: DigestCache;
  const counting: FileHasher = (file) => {
    hashed.push(path.basename(file));
    return hashFile(file);
  };

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('tessenger-digest-'));
    hashed = [];
    cache = new DigestCache(counting);
  });
  afterEach(() => cleanup());

  it('hashes a file once while it is unchanged, also through another path spelling', async () => {
    const file = path.join(dir, 'talk.mp4');
    await fs.writeFile(file, 'abc');
    const first = await cache.digest(file);
    expect(first).toEqual({
      size: 3,
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
    expect(await cache.digest(file)).toEqual(first);
    expect(await cache.digest(path.join(dir, '.', 'sub', '..', 'talk.mp4'))).toEqual(first);
    expect(hashed).toEqual(['talk.mp4']);
  });

  it('hashes again after the content and mtime changed, even at the same size', async () => {
    const file = path.join(dir, 'a.bin');
    await fs.writeFile(file, 'abc');
    const old = await cache.digest(file);
    await fs.writeFile(file, 'xyz');
    await fs.utimes(file, new Date(2030, 0, 1), new Date(2030, 0, 1));
    const now = await cache.digest(file);
    expect(now.size).toBe(3);
    expect(now.sha256).not.toBe(old.sha256);
    expect(now.sha256).toBe((await hashFile(file)).sha256);
    expect(hashed).toEqual(['a.bin', 'a.bin']);
  });

  it('hashes again when only the mtime changed', async () => {
    const file = path.join(dir, 'a.bin');
    await fs.writeFile(file, 'abc');
    await cache.digest(file);
    await fs.utimes(file, new Date(2031, 0, 1), new Date(2031, 0, 1));
    await cache.digest(file);
    expect(hashed).toHaveLength(2);
  });

  it('hashes again when the file was replaced by another one (new inode, same mtime)', async () => {
    const file = path.join(dir, 'a.bin');
    const other = path.join(dir, 'b.bin');
    const when = new Date(2029, 5, 1);
    await fs.writeFile(file, 'abc');
    await fs.utimes(file, when, when);
    await cache.digest(file);
    await fs.writeFile(other, 'xyz');
    await fs.utimes(other, when, when);
    await fs.rename(other, file);
    expect((await cache.digest(file)).sha256).toBe((await hashFile(file)).sha256);
    expect(hashed).toEqual(['a.bin', 'a.bin']);
  });

  it('does not keep a digest taken while the file was being written', async () => {
    const file = path.join(dir, 'a.bin');
    await fs.writeFile(file, 'abc');
    const racing = new DigestCache(async (f) => {
      hashed.push(path.basename(f));
      const result = await hashFile(f);
      await fs.appendFile(f, 'more');
      return result;
    });
    await racing.digest(file);
    expect(racing.size).toBe(0);
    await racing.digest(file);
    expect(hashed).toHaveLength(2);
  });

  it('rejects for a missing file and remembers at most MAX_DIGESTS files', async () => {
    await expect(cache.digest(path.join(dir, 'missing'))).rejects.toThrow(/ENOENT/);
    for (let i = 0; i <= MAX_DIGESTS; i++) {
      const file = path.join(dir, `f${i}`);
      await fs.writeFile(file, `${i}`);
      await cache.digest(file);
    }
    expect(cache.size).toBe(MAX_DIGESTS);
    await cache.digest(path.join(dir, 'f0'));
    expect(hashed.filter((n) => n === 'f0')).toHaveLength(2);
  });
});
