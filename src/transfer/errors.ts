/**
 * Stable failure codes of a transfer. Tests assert the code; users read the message.
 * A peer's ABORT datagram carries one of these codes so both sides fail the same way.
 */
export const TransferErrorCode = {
  Stalled: 'STALLED',
  HashMismatch: 'HASH_MISMATCH',
  Cancelled: 'CANCELLED',
  FileError: 'FILE_ERROR',
  DiskFull: 'DISK_FULL',
  BadKey: 'BAD_KEY',
  BadOffer: 'BAD_OFFER',
  BadName: 'BAD_NAME',
  Duplicate: 'DUPLICATE_TRANSFER',
  Protocol: 'PROTOCOL',
} as const;

export type TransferErrorCode = (typeof TransferErrorCode)[keyof typeof TransferErrorCode];

const KNOWN = new Set<string>(Object.values(TransferErrorCode));

/** Narrows a code received from the network; anything unknown becomes PROTOCOL. */
export function toTransferErrorCode(code: string): TransferErrorCode {
  return KNOWN.has(code) ? (code as TransferErrorCode) : TransferErrorCode.Protocol;
}

/** The error every failed `transfer.done` rejects with. */
export class TransferError extends Error {
  constructor(
    readonly code: TransferErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransferError';
  }
}

/** Maps a file-system failure to DISK_FULL or FILE_ERROR with the path in the message. */
export function fileError(what: string, path: string, error: unknown): TransferError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new TransferError(TransferErrorCode.DiskFull, `${what} ${path}: disk full`, {
      cause: error,
    });
  }
  return new TransferError(TransferErrorCode.FileError, `${what} ${path}: ${detail}`, {
    cause: error,
  });
}
