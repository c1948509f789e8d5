/** Helpers shared by the benches: a random source file with its SHA-256, and the median. */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

const MIB = 1024 * 1024;

/** Writes `bytes` of random data (AES-CTR keystream: fast, incompressible) under `dir`. */
export async function makeFile(
  dir: string,
  bytes: number,
): Promise<{ file: string; sha256: string }> {
  const file = path.join(dir, `source-${bytes}.bin`);
  const cipher = crypto.createCipheriv('aes-128-ctr', crypto.randomBytes(16), Buffer.alloc(16));
  const hash = crypto.createHash('sha256');
  const fh = await fs.open(file, 'w');
  for (let done = 0; done < bytes; done += MIB) {
    const buf = cipher.update(Buffer.alloc(Math.min(MIB, bytes - done)));
    hash.update(buf);
    await fh.write(buf);
  }
  await fh.close();
  return { file, sha256: hash.digest('hex') };
}

/** The lower median (an actual sample when the count is even). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}
