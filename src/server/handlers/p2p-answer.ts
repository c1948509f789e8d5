import type { Handler } from './types.js';

/** The audience accepts or declines an offer; the presenter's pending reply follows. */
export const p2pAnswer: Handler<'p2p-answer'> = async (ctx, session, req) => {
  ctx.transfers.answer(session, req);
  return {};
};
