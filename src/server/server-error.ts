import { type ErrorCode, ProtocolError } from '../protocol/errors.js';

/**
 * A ProtocolError with extra fields for the error frame (e.g. `retryAfterMs`), kept in
 * the server so the shared protocol type stays as agreed with the client.
 */
export class ServerError extends ProtocolError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code, message);
  }
}

/**
 * Wraps a system error with what the server was doing, keeping its `code` (EADDRINUSE,
 * ENOENT...) so callers can still tell the cases apart.
 */
export function startError(doing: string, cause: unknown): NodeJS.ErrnoException {
  const system = cause as NodeJS.ErrnoException;
  const error = new Error(`${doing}: ${system.message}`, { cause }) as NodeJS.ErrnoException;
  error.code = system.code;
  return error;
}
