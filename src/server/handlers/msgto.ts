import { ErrorCode } from '../../protocol/errors.js';
import { formatTimestamp } from '../../util/time-format.js';
import { ServerError } from '../server-error.js';
import { currentUser, type Handler, offlineUserText, unknownUserText } from './types.js';

export const EMPTY_MESSAGE_TEXT = 'Message cannot be empty. Usage: /msgto USERNAME MESSAGE';

/** Private message: logged (receiver's name), pushed to the receiver, then acknowledged. */
export const msgto: Handler<'msgto'> = async (ctx, session, req) => {
  const me = currentUser(session);
  const { to, text } = req;
  if (text.trim() === '') throw new ServerError(ErrorCode.EmptyMessage, EMPTY_MESSAGE_TEXT);
  if (!ctx.auth.exists(to)) throw new ServerError(ErrorCode.UnknownUser, unknownUserText(to));
  if (to === me.username) {
    throw new ServerError(ErrorCode.Self, 'You cannot send a message to yourself.');
  }
  if (!ctx.presence.isOnline(to)) throw new ServerError(ErrorCode.UserOffline, offlineUserText(to));
  const ts = ctx.clock.now();
  await ctx.messageLog.append(ts, to, text);
  // Looked up again: the receiver may have left while the line was written.
  ctx.presence.session(to)?.push({ type: 'message', from: me.username, text, ts });
  ctx.console(`${me.username} message to ${to} "${text}" at ${formatTimestamp(ts)}.`);
  return { ts };
};
