import type { ClientSession, ServerContext } from '../context.js';
import type { Handler } from './types.js';

/** Replies, then the session ends; signOut runs as the session closes. */
export const logout: Handler<'logout'> = async (_ctx, session) => {
  session.endAfterReply();
  return {};
};

/**
 * Everything a leaving user leaves behind, whether by /logout, a dropped connection or
 * server shutdown: presence, userlog.txt line, pending transfers.
 */
export function signOut(ctx: ServerContext, session: ClientSession): void {
  ctx.transfers.sessionEnded(session);
  const user = session.user;
  if (!user || !ctx.presence.remove(user.username, session)) return;
  ctx.console(`${user.username} logout`);
  ctx.logger.info('logout', { session: session.id, username: user.username });
  ctx.userLog.remove(user.username).catch((err: unknown) => {
    ctx.logger.error('userlog.txt rewrite failed', { error: String(err) });
  });
}
