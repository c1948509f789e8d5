/**
 * A write the store refused (StoreUnavailableError: its disk is full, or its database cannot
 * be reached): the error reply a user reads, chosen per request kind in this one place, and
 * the diagnostic log of the outage, one error line when it starts and one info line when
 * writes commit again, not one per refused request.
 */
import type { RequestType } from '../protocol/control.js';
import { ErrorCode } from '../protocol/errors.js';
import type { ChatStore, StoreUnavailableError } from '../store/store.js';
import type { Logger } from '../util/logger.js';

/** What was not done, per request kind; a request not listed did not save its change. */
const NOT_DONE: Partial<Record<RequestType, string>> = {
  msgto: 'message not sent',
  groupmsg: 'message not sent',
  broadcast: 'message not sent',
  inbox: 'waiting messages not fetched',
  delivered: 'receipt not saved',
};
const OTHERWISE_NOT_DONE = 'not saved';

const WHY: Record<StoreUnavailableError['reason'], string> = {
  'disk-full': 'the server is out of disk space',
  unreachable: 'the server cannot reach its database; try again in a moment',
};

const CODE: Record<StoreUnavailableError['reason'], ErrorCode> = {
  'disk-full': ErrorCode.StoreFull,
  unreachable: ErrorCode.StoreUnavailable,
};

/** The diagnostic lines of an outage (tests look for them). */
export const OUTAGE_LOG = {
  'disk-full': 'store writes refused: out of disk space',
  unreachable: 'store writes refused: the database cannot be reached',
  ended: 'store writes succeed again',
} as const;

/** The error reply to a request whose write was refused, e.g. `message not sent: the server is out of disk space`. */
export function storeRefusalReply(
  type: RequestType,
  err: StoreUnavailableError,
): { code: ErrorCode; message: string } {
  return {
    code: CODE[err.reason],
    message: `${NOT_DONE[type] ?? OTHERWISE_NOT_DONE}: ${WHY[err.reason]}`,
  };
}

/**
 * Logs a refusal: once per outage when the store tracks them (`outage`), with the cause and
 * the request that met it first, then once when writes commit again; each time otherwise.
 */
export function logStoreRefusal(
  logger: Logger,
  store: Pick<ChatStore, 'outage'>,
  err: StoreUnavailableError,
  during: string,
): void {
  const fields = { during, cause: describe(err.cause) };
  if (store.outage === undefined) {
    logger.error(OUTAGE_LOG[err.reason], fields);
    return;
  }
  // The log's own timestamps tell how long it lasted.
  const opened = store.outage.report(err, () => {
    logger.info(OUTAGE_LOG.ended, { reason: err.reason });
  });
  if (opened) logger.error(OUTAGE_LOG[err.reason], fields);
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}
