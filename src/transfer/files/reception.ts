/**
 * The receiver's steps that need no transfer state: checking an offer, opening its part file,
 * verifying and saving it. A second reception of the same file into the same folder while the first runs
 * gets its own part file, so the two never write over each other.
 */

import { TransferError, TransferErrorCode } from '../errors.js';
import type { ReceiveOptions } from '../types.js';
import { transferTag } from '../wire/crypto.js';
import { sanitizeFileName } from './filename.js';
import { PartFile } from './part-file.js';

/** The usable file name, or the error that makes the offer unusable. */
export function checkOffer(options: ReceiveOptions): string | TransferError {
  const name = sanitizeFileName(options.fileName);
  if (!name || !/^[0-9a-f]{64}$/.test(options.sha256) || !Number.isSafeInteger(options.size)) {
    const what = JSON.stringify(options.fileName);
    return new TransferError(TransferErrorCode.BadName, `unusable offer: ${what}`);
  }
  return name;
}

/** Opens the part file; `key` is the shared part path this reception holds (null: its own). */
export async function openPart(
  active: Set<string>,
  options: ReceiveOptions,
  name: string,
  hashThread = false,
): Promise<{ part: PartFile; key: string | null }> {
  const shared = PartFile.partPath(options.dir, name, options.sha256);
  const key = active.has(shared) ? null : shared;
  const unique = key ? undefined : transferTag(options.transferId).toString('hex');
  if (key) active.add(key);
  try {
    const part = await PartFile.open(
      options.dir,
      name,
      options.size,
      options.sha256,
      unique,
      hashThread,
    );
    return { part, key };
  } catch (error) {
    if (key) active.delete(key);
    throw error;
  }
}

/**
 * Checks the whole file's SHA-256 and moves it under its final name. Returns the saved path,
 * or the error; on a mismatch the part file and its sidecar are removed (the bytes are bad).
 */
export async function verifyAndSave(
  part: PartFile,
  options: ReceiveOptions,
  name: string,
  fsync: boolean,
): Promise<string | TransferError> {
  const actual = await part.sha256(options.size).catch(() => null);
  if (actual !== options.sha256) {
    await part.discard();
    const why = `SHA-256 mismatch: got ${actual ?? 'an unreadable file'}, want ${options.sha256}`;
    return new TransferError(TransferErrorCode.HashMismatch, why);
  }
  try {
    return await part.finalize(options.dir, name, fsync);
  } catch (error) {
    return error as TransferError;
  }
}
