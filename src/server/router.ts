/** Dispatch by request type, with the session-state gate in front of every handler. */
import type { ReplyData, Request, RequestType } from '../protocol/control.js';
import { ErrorCode } from '../protocol/errors.js';
import type { ClientSession, ServerContext } from './context.js';
import { activeuser } from './handlers/activeuser.js';
import { creategroup } from './handlers/creategroup.js';
import { groupmsg } from './handlers/groupmsg.js';
import { joingroup } from './handlers/joingroup.js';
import { login } from './handlers/login.js';
import { logout } from './handlers/logout.js';
import { msgto } from './handlers/msgto.js';
import { p2pAnswer } from './handlers/p2p-answer.js';
import { p2pOffer } from './handlers/p2p-offer.js';
import { ping } from './handlers/ping.js';
import type { Handler } from './handlers/types.js';
import { ServerError } from './server-error.js';

const HANDLERS: { [T in RequestType]: Handler<T> } = {
  login,
  msgto,
  activeuser,
  creategroup,
  joingroup,
  groupmsg,
  logout,
  ping,
  'p2p-offer': p2pOffer,
  'p2p-answer': p2pAnswer,
};

/** Request types a session may send before logging in. */
const BEFORE_LOGIN = new Set<RequestType>(['login', 'ping']);

/** Runs one request; throws a ProtocolError for anything the client got wrong. */
export function route(
  ctx: ServerContext,
  session: ClientSession,
  req: Request,
): Promise<ReplyData[RequestType]> {
  if (session.user === null && !BEFORE_LOGIN.has(req.type)) {
    throw new ServerError(ErrorCode.NotLoggedIn, 'Please log in first.');
  }
  if (session.user !== null && req.type === 'login') {
    throw new ServerError(
      ErrorCode.AlreadyAuthenticated,
      `You are already logged in as ${session.user.username}.`,
    );
  }
  const handler = HANDLERS[req.type] as (
    ctx: ServerContext,
    session: ClientSession,
    req: Request,
  ) => Promise<ReplyData[RequestType]>;
  return handler(ctx, session, req);
}
