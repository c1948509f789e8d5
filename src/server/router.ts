/** Dispatch by request type, with the session-state gate in front of every handler. */
import type { ReplyData, Request, RequestType } from '../protocol/control.js';
import { ErrorCode } from '../protocol/errors.js';
import type { ClientSession, ServerContext } from './context.js';
import { activeuser } from './handlers/activeuser.js';
import { away } from './handlers/away.js';
import { block, blocked, unblock } from './handlers/block.js';
import { broadcast } from './handlers/broadcast.js';
import { creategroup } from './handlers/creategroup.js';
import { delivered } from './handlers/delivered.js';
import { groups, members } from './handlers/group-info.js';
import { groupmsg } from './handlers/groupmsg.js';
import { history } from './handlers/history.js';
import { inbox } from './handlers/inbox.js';
import { invite } from './handlers/invite.js';
import { joingroup } from './handlers/joingroup.js';
import { lastseen } from './handlers/lastseen.js';
import { leavegroup } from './handlers/leavegroup.js';
import { login } from './handlers/login.js';
import { logout } from './handlers/logout.js';
import { msgto } from './handlers/msgto.js';
import { p2pAnswer } from './handlers/p2p-answer.js';
import { p2pOffer } from './handlers/p2p-offer.js';
import { p2pCancel, p2pRelay } from './handlers/p2p-relay.js';
import { ping } from './handlers/ping.js';
import { register } from './handlers/register.js';
import { resume } from './handlers/resume.js';
import type { Handler } from './handlers/types.js';
import { ServerError } from './server-error.js';

const HANDLERS: { [T in RequestType]: Handler<T> } = {
  login,
  resume,
  msgto,
  activeuser,
  creategroup,
  joingroup,
  groupmsg,
  logout,
  ping,
  'p2p-offer': p2pOffer,
  'p2p-answer': p2pAnswer,
  'p2p-relay': p2pRelay,
  'p2p-cancel': p2pCancel,
  register,
  inbox,
  delivered,
  history,
  broadcast,
  block,
  unblock,
  blocked,
  lastseen,
  away,
  groups,
  members,
  invite,
  leavegroup,
};

/** Request types a session may send before logging in. */
const BEFORE_LOGIN = new Set<RequestType>(['login', 'resume', 'register', 'ping']);

/** Runs one request; throws a ProtocolError for anything the client got wrong. */
export function route(
  ctx: ServerContext,
  session: ClientSession,
  req: Request,
): Promise<ReplyData[RequestType]> {
  if (session.user === null && !BEFORE_LOGIN.has(req.type)) {
    throw new ServerError(ErrorCode.NotLoggedIn, 'Please log in first.');
  }
  if (
    session.user !== null &&
    (req.type === 'login' || req.type === 'resume' || req.type === 'register')
  ) {
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
