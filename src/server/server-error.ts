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
