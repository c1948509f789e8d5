/**
 * Reads where a numbered log left off, so numbering continues across restarts without
 * reading a large file whole.
 */
import { open } from 'node:fs/promises';

const TAIL_BYTES = 64 * 1024;
const NUMBERED = /^(\d+); /;

/** Where a numbered log left off. */
export interface LogTail {
  /** Number of the last line starting with `<n>; `, 0 when none (or no file). */
  lastNumber: number;
  /** True when the file ends mid-line (a crash mid-append): the next append must start a new line. */
  needsNewline: boolean;
}

/**
 * Scans from the end for the last numbered line; lines without a number (garbage, a line
 * torn before its number) are skipped.
 */
export async function readLogTail(path: string): Promise<LogTail> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { lastNumber: 0, needsNewline: false };
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const needsNewline = size > 0 && (await lastByte(handle, size)) !== 0x0a;
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
        if (match) return { lastNumber: Number(match[1]), needsNewline };
      }
      if (start === 0) return { lastNumber: 0, needsNewline };
    }
  } finally {
    await handle.close();
  }
}

async function lastByte(handle: Awaited<ReturnType<typeof open>>, size: number): Promise<number> {
  const one = Buffer.alloc(1);
  await handle.read(one, 0, 1, size - 1);
  return one[0] ?? 0;
}
