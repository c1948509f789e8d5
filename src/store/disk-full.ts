/**
 * Which failed writes mean the disk is full. SQLite's unix VFS turns ENOSPC on a write into
 * SQLITE_FULL; its other I/O errors (SQLITE_IOERR_WRITE, _FSYNC, _TRUNCATE, _SHMSIZE...) do
 * not say why, so they count as a full disk only when the database's folder has (almost) no
 * space left. Node's own calls (the WAL's fdatasync, a log append) fail with code ENOSPC.
 */
import { statfsSync } from 'node:fs';
import { StoreUnavailableError } from './store.js';

/** Free space below which an unexplained SQLite I/O error is taken for a full disk. */
export const LOW_SPACE_BYTES = 256 * 1024;

/**
 * Free space a folder needs before a full disk counts as over. On a nearly full disk some
 * commits still fit between refusals (the WAL reuses its space after a checkpoint): the outage
 * is over when there is room again, not at the first commit that squeezed in.
 */
export const ROOM_AGAIN_BYTES = 4 * LOW_SPACE_BYTES;

/** Free bytes for an unprivileged writer in `dir`; null when that cannot be told. */
export type FreeSpace = (dir: string) => number | null;

export const statfsFreeBytes: FreeSpace = (dir) => {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
};

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** True for an error that says, or (an I/O error on a folder with no room) implies, ENOSPC. */
export function isDiskFull(
  err: unknown,
  dir: string | null,
  freeBytes: FreeSpace = statfsFreeBytes,
): boolean {
  const code = errorCode(err);
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return true;
  if (!code.startsWith('SQLITE_IOERR') || dir === null) return false;
  const free = freeBytes(dir);
  return free !== null && free < LOW_SPACE_BYTES;
}

/** True when `dir` has room again after a full disk (or its free space cannot be told). */
export function hasRoomAgain(dir: string | null, freeBytes: FreeSpace = statfsFreeBytes): boolean {
  if (dir === null) return true;
  const free = freeBytes(dir);
  return free === null || free >= ROOM_AGAIN_BYTES;
}

/**
 * The error to refuse a whole batch with when `err` means the disk is full; null for any
 * other failure (which may be one write's own fault).
 */
export function diskFullRefusal(
  err: unknown,
  dir: string | null,
  freeBytes: FreeSpace = statfsFreeBytes,
): StoreUnavailableError | null {
  if (err instanceof StoreUnavailableError) return err;
  return isDiskFull(err, dir, freeBytes)
    ? new StoreUnavailableError('disk-full', { cause: err })
    : null;
}
