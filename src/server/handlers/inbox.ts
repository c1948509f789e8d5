import { currentUser, type Handler } from './types.js';

/**
 * Hands over what arrived while the user was offline, oldest first, as the same pushes they
 * would have had online (with their original timestamps), then replies with the count. The
 * client asks once it is listening, so nothing lands before its handlers are in place.
 */
export const inbox: Handler<'inbox'> = async (ctx, session) => {
  const me = currentUser(session);
  const events = await ctx.store.takeQueue(me.username);
  for (const event of events) session.push(event);
  if (events.length > 0) {
    ctx.console(`${me.username} received ${events.length} queued message(s)`);
  }
  return { count: events.length };
};
