import type { ReplyData, RequestOf, RequestType } from '../../protocol/control.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ClientSession, ServerContext } from '../context.js';
import { escapeLogText } from '../logs/log-text.js';
import type { OnlineUser } from '../presence.js';
import { ServerError } from '../server-error.js';

export type { RequestOf } from '../../protocol/control.js';

/** One request type's handler: returns the reply data or throws a ProtocolError. */
export type Handler<T extends RequestType> = (
  ctx: ServerContext,
  session: ClientSession,
  req: RequestOf<T>,
) => Promise<ReplyData[T]>;

/** The logged-in user; the router admits only logged-in sessions past login and ping. */
export function currentUser(session: ClientSession): OnlineUser {
  if (!session.user) throw new ServerError(ErrorCode.NotLoggedIn, 'Please log in first.');
  return session.user;
}

/**
 * A name the client sent, echoed in an error: escaped and cut, since it failed a check and
 * may be anything up to the frame's string cap.
 */
export const echo = (name: string): string => escapeLogText(name.slice(0, 80));

export const unknownUserText = (user: string): string => `User ${echo(user)} does not exist.`;
