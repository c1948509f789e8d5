import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sanitizeFileName } from '../../src/transfer/files/filename.js';
import { hashFile } from '../../src/transfer/files/hash.js';

describe('sanitizeFileName', () => {
  it.each([
    ['lecture1.mp4', 'lecture1.mp4'],
    ['../../x', 'x'],
    ['a/b', 'b'],
    ['a\\b', 'b'],
    ['C:\\Users\\me\\clip.mkv', 'clip.mkv'],
    ['\u0000x', 'x'],
    ['tab\there', 'tabhere'],
    ['evil\u202Etxt.exe', 'eviltxt.exe'],
    ['.hidden', 'hidden'],
    ['...dots', 'dots'],
    ['  spaced.txt  ', 'spaced.txt'],
    ['trailing.', 'trailing'],
    ['Yoda_ok name (1).txt', 'Yoda_ok name (1).txt'],
  ])('%j → %j', (input, want) => {
    expect(sanitizeFileName(input)).toBe(want);
  });

  it.each(['', '..', '.', '/', 'a/', '../..', '\u0000\u0001', '   '])('%j → null', (input) => {
    expect(sanitizeFileName(input)).toBeNull();
  });

  it('caps long names at 200 UTF-8 bytes, keeping the extension and whole characters', () => {
    const long = sanitizeFileName(`${'é'.repeat(300)}.mp4`)!;
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(200);
    expect(long.endsWith('.mp4')).toBe(true);
    expect(long).not.toContain('\uFFFD');
    const noExt = sanitizeFileName('x'.repeat(500))!;
    expect(noExt).toHaveLength(200);
  });
});

describe('hashFile', () => {
  it('streams the SHA-256 and size, including an empty file', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tessenger-hash-'));
    await fs.writeFile(path.join(dir, 'e'), '');
    await fs.writeFile(path.join(dir, 'abc'), 'abc');
    expect(await hashFile(path.join(dir, 'e'))).toEqual({
      size: 0,
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
    expect(await hashFile(path.join(dir, 'abc'))).toEqual({
      size: 3,
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
    await expect(hashFile(path.join(dir, 'missing'))).rejects.toThrow();
  });
});
