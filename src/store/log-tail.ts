/**
 * Reads where a numbered log left off, so numbering continues across restarts without
 * reading a large file whole.
 */
import { open } from 'node:fs/promises';

const TAIL_BYTES = 64 * 1024;
const NUMBERED = /^(\d+); /;

/**
 * The number of the last line that starts with `<n>; ` in the file, or 0 when the file is
 * missing or holds no numbered line. Lines are scanned from the end; a torn last line (a
 * crash mid-append) is skipped.
 */
export async function lastLineNumber(path: string): Promise<number> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    // Widen the window until a numbered line turns up or the whole file has been read.
    for (let window = TAIL_BYTES; ; window *= 4) {
      const start = Math.max(0, size - window);
      const length = size - start;
      const buf = Buffer.alloc(length);
      await handle.read(buf, 0, length, start);
      const lines = buf.toString('utf8').split('\n');
      // The first line of a partial window may be cut mid-way; only trust it at offset 0.
      const first = start === 0 ? 0 : 1;
      for (let i = lines.length - 1; i >= first; i--) {
        const match = NUMBERED.exec(lines[i] ?? '');
        if (match) return Number(match[1]);
      }
      if (start === 0) return 0;
    }
  } finally {
    await handle.close();
  }
}
