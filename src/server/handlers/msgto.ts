import type { ReplyData } from '../../protocol/control.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { MessageEvent } from '../../protocol/server-frames.js';
import { type DirectRecord, QueueFullError } from '../../store/store.js';
import { formatTimestamp } from '../../util/time-format.js';
import { writeStoredLine } from '../logs/stored-line.js';
import { ServerError } from '../server-error.js';
import { currentUser, type Handler, unknownUserText } from './types.js';

export const EMPTY_MESSAGE_TEXT = 'Message cannot be empty. Usage: /msgto USERNAME MESSAGE';

export const blockedByText = (user: string): string =>
  `${user} has blocked you; your message was not delivered.`;

/**
 * Private message: stored durably (and queued when the receiver is offline), logged with the
 * receiver's name, pushed, then acknowledged. The reply never comes before the commit.
 */
export const msgto: Handler<'msgto'> = async (ctx, session, req) => {
  const me = currentUser(session);
  const { to, text } = req;
  if (text.trim() === '') throw new ServerError(ErrorCode.EmptyMessage, EMPTY_MESSAGE_TEXT);
  if (!ctx.auth.exists(to)) throw new ServerError(ErrorCode.UnknownUser, unknownUserText(to));
  if (to === me.username) {
    throw new ServerError(ErrorCode.Self, 'You cannot send a message to yourself.');
  }
  if (ctx.blocks.has(to, me.username)) throw new ServerError(ErrorCode.Blocked, blockedByText(to));
  const ts = ctx.clock.now();
  const queued = !ctx.presence.isOnline(to);
  let record: DirectRecord;
  try {
    record = await ctx.store.addDirect({ ts, from: me.username, to, text, queued });
  } catch (err) {
    if (!(err instanceof QueueFullError)) throw err;
    throw new ServerError(
      ErrorCode.QueueFull,
      `${to} is offline and has too many messages waiting; try again after they log in.`,
    );
  }
  // From now on each hears of the other's logins and logouts (notify.ts).
  ctx.presence.talked(me.username, to);
  const line = ctx.messageLog.write(record.n, ts, to, text);
  await writeStoredLine(ctx.logger, ctx.messageLog.path, line);
  const event: MessageEvent = { type: 'message', from: me.username, text, ts, id: record.n };
  let stillQueued = queued;
  if (!queued) {
    // Looked up again: the receiver may have left while the message was committed.
    const receiver = ctx.presence.session(to);
    if (receiver) receiver.pushMessage(event);
    else {
      await ctx.store.enqueue(to, { ...event, offline: true });
      stillQueued = true;
    }
  }
  ctx.console(`${me.username} message to ${to} "${text}" at ${formatTimestamp(ts)}.`);
  const away = ctx.presence.user(to)?.away;
  // Built key by key (no spreads): the same keys, in the same order, as before.
  const reply: ReplyData['msgto'] = { ts, id: record.n };
  if (stillQueued) reply.queued = true;
  if (away !== undefined) reply.away = away;
  return reply;
};
