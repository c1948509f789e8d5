/**
 * The presenter's SHA-256 of each file it sends, kept for the client process: sending the same
 * file again (to resume, or to another audience) does not read it all again. An entry holds
 * only while the file's identity and stat (inode, device, size, mtime) are unchanged.
 */
import path from 'node:path';
import { hashFile } from '../transfer/files/hash.js';
import { fileStamp as stamp } from '../util/file-stamp.js';

/** Reads a whole file and returns its size and SHA-256 (hex). */
export type FileHasher = (filePath: string) => Promise<{ size: number; sha256: string }>;

interface Entry {
  readonly stamp: string;
  readonly size: number;
  readonly sha256: string;
}

/** Files remembered at once; the oldest is forgotten first. */
export const MAX_DIGESTS = 256;

export class DigestCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly hasher: FileHasher = hashFile) {}

  /** Size and SHA-256 of the file as it is now; hashes only when the stat changed. */
  async digest(filePath: string): Promise<{ size: number; sha256: string }> {
    const key = path.resolve(filePath);
    const before = await stamp(key);
    const known = this.entries.get(key);
    if (known && known.stamp === before) {
      // Refreshed as most recently used.
      this.entries.delete(key);
      this.entries.set(key, known);
      return { size: known.size, sha256: known.sha256 };
    }
    this.entries.delete(key);
    const result = await this.hasher(key);
    // A file written to while it was read gives a digest of no version: never keep that one.
    if ((await stamp(key)) === before && before.endsWith(`:${result.size}`)) {
      this.entries.set(key, { stamp: before, ...result });
      if (this.entries.size > MAX_DIGESTS) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
    return result;
  }

  get size(): number {
    return this.entries.size;
  }
}
