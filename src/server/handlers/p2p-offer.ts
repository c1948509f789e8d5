import { ErrorCode } from '../../protocol/errors.js';
import { ServerError } from '../server-error.js';
import { offlineText } from '../transfers.js';
import { currentUser, type Handler, unknownUserText } from './types.js';

/**
 * Presenter asks to send a file: the audience gets the offer and the presenter's reply
 * waits until the audience answers (see TransferBroker).
 */
export const p2pOffer: Handler<'p2p-offer'> = async (ctx, session, req) => {
  const me = currentUser(session);
  const { to } = req;
  if (!ctx.auth.exists(to)) throw new ServerError(ErrorCode.UnknownUser, unknownUserText(to));
  if (to === me.username) {
    throw new ServerError(ErrorCode.Self, 'You cannot send a file to yourself.');
  }
  if (ctx.blocks.has(to, me.username)) {
    throw new ServerError(ErrorCode.Blocked, `${to} has blocked you; the file was not sent.`);
  }
  const audience = ctx.presence.session(to);
  const audienceUser = ctx.presence.user(to);
  if (!audience || !audienceUser) {
    throw new ServerError(ErrorCode.UserOffline, offlineText(to));
  }
  // Offer first: it may refuse (too many waiting), and then nothing was started.
  const reply = ctx.transfers.offer(session, me, audience, audienceUser, req);
  ctx.console(`${me.username} started a P2P transfer of ${req.filename} to ${to}`);
  return reply;
};
