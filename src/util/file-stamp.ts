import { stat } from 'node:fs/promises';

/**
 * A file's identity and version as one comparable string — device, inode, modification time in
 * nanoseconds (bigint, so two writes within one millisecond still differ), size last. It
 * changes when the file is written to or replaced by a rename.
 */
export async function fileStamp(file: string): Promise<string> {
  const s = await stat(file, { bigint: true });
  return `${s.dev}:${s.ino}:${s.mtimeNs}:${s.size}`;
}
