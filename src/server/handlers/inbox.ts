import { currentUser, type Handler } from './types.js';

/** Queued events handed over per request, so a long queue cannot overflow the output cap. */
export const INBOX_BATCH = 200;

/**
 * Hands over what arrived while the user was offline, oldest first, as the same pushes they
 * would have had online (with their original timestamps), then replies with the count and
 * what is left. The client asks once it is listening, so nothing lands before its handlers
 * are in place, and asks again while something is left.
 */
export const inbox: Handler<'inbox'> = async (ctx, session, req) => {
  const me = currentUser(session);
  const { events, remaining, lastId } = await ctx.store.takeQueue(
    me.username,
    INBOX_BATCH,
    req.ack,
  );
  for (const event of events) session.push(event);
  // In a cluster, once the queue is through: messages a dead node may have lost on the way.
  if (events.length === 0 && ctx.cluster) await ctx.cluster.redeliver(session, me.username);
  if (events.length > 0) {
    ctx.console(`${me.username} received ${events.length} queued message(s)`);
  }
  return { count: events.length, remaining, lastId };
};
