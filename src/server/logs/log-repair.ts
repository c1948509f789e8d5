/**
 * After a crash the database (written first) may be ahead of a numbered log file (written
 * after the commit), and the file may end in half a line. This makes the file agree with
 * the database again: the torn line is cut when the database holds that number, and every
 * row the file lacks is appended, so numbering has no gap and no repeat.
 */
import { open, truncate } from 'node:fs/promises';
import { readLogTail } from '../../store/log-tail.js';
import { NumberedLog } from './message-log.js';

/** One numbered row as the log prints it. */
export interface LogRow {
  n: number;
  ts: number;
  /** The name the line carries: the receiver (messagelog.txt) or the sender (group logs). */
  name: string;
  text: string;
}

const TORN_WINDOW = 64 * 1024;

/**
 * Repairs `file` against the rows the database has after the file's last number and opens
 * it for appending. `rowsAfter(n)` lists the rows numbered above n, in order.
 */
export async function openRepairedLog(
  file: string,
  rowsAfter: (n: number) => Promise<LogRow[]>,
): Promise<{ log: NumberedLog; appended: number }> {
  await cutTornLine(file, rowsAfter);
  const tail = await readLogTail(file);
  const log = new NumberedLog(file, tail.lastNumber, tail.needsNewline);
  const missing = await rowsAfter(tail.lastNumber);
  for (const row of missing) await log.write(row.n, row.ts, row.name, row.text);
  return { log, appended: missing.length };
}

/** Cuts a final line without its newline when the database has that number whole. */
async function cutTornLine(
  file: string,
  rowsAfter: (n: number) => Promise<LogRow[]>,
): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  let cutAt = -1;
  let tornNumber = Number.NaN;
  try {
    const { size } = await handle.stat();
    if (size === 0) return;
    const start = Math.max(0, size - TORN_WINDOW);
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    if (buf[buf.length - 1] === 0x0a) return;
    const lastNewline = buf.lastIndexOf(0x0a);
    if (lastNewline === -1 && start > 0) return;
    cutAt = start + lastNewline + 1;
    const torn = buf.subarray(lastNewline + 1).toString('utf8');
    tornNumber = Number(/^(\d+); /.exec(torn)?.[1] ?? Number.NaN);
  } finally {
    await handle.close();
  }
  // Only a line the database can write again is cut; anything else is kept as it was.
  if (Number.isNaN(tornNumber)) return;
  const known = await rowsAfter(tornNumber - 1);
  if (known[0]?.n === tornNumber) await truncate(file, cutAt);
}
