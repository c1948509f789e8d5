import { ErrorCode } from '../../protocol/errors.js';
import { formatTimestamp } from '../../util/time-format.js';
import { ServerError } from '../server-error.js';
import { currentUser, type Handler } from './types.js';

/** One message to every other online user, except those who blocked the sender. Not stored. */
export const broadcast: Handler<'broadcast'> = async (ctx, session, req) => {
  const me = currentUser(session);
  const { text } = req;
  if (text.trim() === '') {
    throw new ServerError(
      ErrorCode.EmptyMessage,
      'Message cannot be empty. Usage: /broadcast MESSAGE',
    );
  }
  const ts = ctx.clock.now();
  let recipients = 0;
  for (const name of ctx.presence.names()) {
    if (name === me.username || ctx.blocks.has(name, me.username)) continue;
    ctx.presence.session(name)?.push({ type: 'broadcast', from: me.username, text, ts });
    recipients += 1;
  }
  ctx.console(
    `${me.username} broadcast "${text}" to ${recipients} user(s) at ${formatTimestamp(ts)}.`,
  );
  return { ts, recipients };
};
