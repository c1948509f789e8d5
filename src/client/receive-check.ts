/**
 * What the audience checks before it accepts an offered file: a size cap and the free space
 * in the download folder (fs.statfs), so a hostile or mistaken offer of a huge file is
 * declined with a clear reason instead of filling the disk mid-transfer.
 */
import { statfs } from 'node:fs/promises';
import { formatBytes } from '../util/bytes.js';

export interface ReceiveLimits {
  /** Largest file accepted; default: no cap beyond the free space. */
  maxBytes: number;
  /** Space left free after the file (and its .part sidecar) is written; default 64 MiB. */
  reserveBytes: number;
}

export const DEFAULT_RECEIVE_LIMITS: ReceiveLimits = {
  maxBytes: Number.MAX_SAFE_INTEGER,
  reserveBytes: 64 * 1024 * 1024,
};

/** Why the offer must be declined, or null to accept. Pure. */
export function receiveRefusal(
  size: number,
  freeBytes: number,
  limits: ReceiveLimits,
): string | null {
  if (size > limits.maxBytes) {
    return `the file (${formatBytes(size)}) is larger than this client accepts (${formatBytes(limits.maxBytes)})`;
  }
  if (size + limits.reserveBytes > freeBytes) {
    return `not enough free disk space: the file needs ${formatBytes(size)}, the download folder has ${formatBytes(freeBytes)} free`;
  }
  return null;
}

/** Free bytes for an unprivileged user in the folder; Infinity when the system cannot say. */
export async function freeBytes(dir: string): Promise<number> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
