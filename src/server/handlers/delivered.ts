import { ErrorCode } from '../../protocol/errors.js';
import { pushOrQueue } from '../notify.js';
import { ServerError } from '../server-error.js';
import { currentUser, type Handler } from './types.js';

/**
 * The receiver's client confirms a direct message reached it: the time is stored and the
 * sender gets a receipt (now, or at their next login).
 */
export const delivered: Handler<'delivered'> = async (ctx, session, req) => {
  const me = currentUser(session);
  const marked = await ctx.store.markDelivered(req.messageId, me.username, ctx.clock.now());
  if (!marked) {
    throw new ServerError(ErrorCode.NoSuchMessage, `No message ${req.messageId} was sent to you.`);
  }
  // Only the first confirmation sends a receipt; a repeated one changes nothing.
  const { record, first } = marked;
  if (first && record.deliveredAt !== null) {
    await pushOrQueue(ctx, record.from, {
      type: 'receipt',
      id: record.n,
      to: me.username,
      ts: record.ts,
      deliveredAt: record.deliveredAt,
    });
  }
  return {};
};
