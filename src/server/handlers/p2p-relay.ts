import { ErrorCode } from '../../protocol/errors.js';
import { ServerError } from '../server-error.js';
import type { Handler } from './types.js';

/** Relay an accepted transfer that found no direct path. (The relay itself is not built yet.) */
export const p2pRelay: Handler<'p2p-relay'> = async () => {
  throw new ServerError(ErrorCode.RelayDisabled, 'This server does not relay transfers.');
};

/** Gives up an accepted transfer before it started. */
export const p2pCancel: Handler<'p2p-cancel'> = async () => ({});
