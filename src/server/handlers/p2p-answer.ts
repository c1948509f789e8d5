import { currentUser, type Handler } from './types.js';

/** The audience accepts or declines an offer; the presenter's pending reply follows. */
export const p2pAnswer: Handler<'p2p-answer'> = async (ctx, session, req) => {
  // In a cluster the offer may wait on the presenter's node: the answer goes there.
  if (ctx.cluster && !ctx.transfers.holds(req.transferId)) {
    if (ctx.cluster.forward(currentUser(session).username, req)) return {};
  }
  ctx.transfers.answer(session, req);
  return {};
};
