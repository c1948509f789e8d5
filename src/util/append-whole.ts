import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';

/**
 * Appends `text` to `file` whole or not at all (synchronously): a write cut short (ENOSPC on
 * a full disk) is truncated away again, so no torn line is left for the next append to glue
 * onto. Shrinking a file needs no space. Returns the file's size after the append.
 */
export function appendWhole(file: string, text: string): number {
  const fd = openSync(file, 'a');
  try {
    const size = fstatSync(fd).size;
    const bytes = Buffer.from(text, 'utf8');
    try {
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
    } catch (err) {
      ftruncateSync(fd, size);
      throw err;
    }
    return size + bytes.length;
  } finally {
    closeSync(fd);
  }
}
