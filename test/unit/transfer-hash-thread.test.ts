import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSha256Sink, stopHashHelper } from '../../src/transfer/files/hash-thread.js';
import { PartFile } from '../../src/transfer/files/part-file.js';

/** A buffer that owns its memory (as decrypted chunks and read-back blocks do). */
function owned(size: number, seed: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) buf[i] = (i * 31 + seed) & 0xff;
  return buf;
}

describe('SHA-256 on the hash thread', () => {
  it('hashes runs of buffers in order, transferring them rather than copying', async () => {
    const sink = createSha256Sink();
    const expected = crypto.createHash('sha256');
    const handed: Buffer[] = [];
    for (let run = 0; run < 20; run++) {
      const parts = [owned(61_440, run), owned(17, run + 100).subarray(3), owned(1, run)];
      for (const p of parts) expected.update(p);
      handed.push(...parts);
      sink.update(parts);
    }
    // Transferred: the caller's views are detached, so nothing was copied in this thread.
    expect(handed[0]!.length).toBe(0);
    expect(await sink.digest()).toBe(expected.digest('hex'));
    expect(sink.backlog).toBe(0);
  });

  it('keeps several hashes apart and copies buffers it cannot transfer', async () => {
    const a = createSha256Sink();
    const b = createSha256Sink();
    const pooled = Buffer.from('abc'); // a slice of Node's shared pool: must not be detached
    a.update([pooled]);
    b.update([Buffer.from('xyz')]);
    a.update([Buffer.from('def')]);
    expect(pooled.toString()).toBe('abc');
    const [da, db] = await Promise.all([a.digest(), b.digest()]);
    expect(da).toBe(crypto.createHash('sha256').update('abcdef').digest('hex'));
    expect(db).toBe(crypto.createHash('sha256').update('xyz').digest('hex'));
  });

  it('gives the empty digest for nothing, and the same answer without the thread', async () => {
    const empty = crypto.createHash('sha256').digest('hex');
    expect(await createSha256Sink().digest()).toBe(empty);
    const local = createSha256Sink(false);
    local.update([Buffer.from('abc')]);
    expect(await local.digest()).toBe(crypto.createHash('sha256').update('abc').digest('hex'));
  });
});

describe('part file hashing when the hash thread goes away', () => {
  it('re-hashes the part file in this thread and still verifies', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tessenger-hash-thread-'));
    const data = Buffer.concat([owned(700_000, 1), owned(300_001, 2)]);
    const sha256 = crypto.createHash('sha256').update(data).digest('hex');
    const part = await PartFile.open(dir, 'a.bin', data.length, sha256, undefined, true);
    // Copies: the hash thread takes ownership of what it is handed.
    const head = part.write(0, Buffer.from(data.subarray(0, 700_000)));
    part.flush(); // a write resolves once its staged run is on disk
    await head;
    await stopHashHelper();
    const tail = part.write(700_000, Buffer.from(data.subarray(700_000)));
    part.flush();
    await tail;
    expect(await part.sha256(data.length)).toBe(sha256);
    await part.discard();
    await fs.rm(dir, { recursive: true, force: true });
  });
});
