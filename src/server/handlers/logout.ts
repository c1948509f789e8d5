import type { ClientSession, ServerContext } from '../context.js';
import { announcePresence, recordSeen } from '../notify.js';
import type { Handler } from './types.js';

/**
 * Revokes the session's resume ticket and signs out before replying, so the client's `ok` means userlog.txt is already updated;
 * the session then ends once the reply is written.
 */
export const logout: Handler<'logout'> = async (ctx, session) => {
  // Only an explicit /logout revokes the ticket: a dropped connection is what resume is for.
  try {
    await ctx.tickets.revokeSession(session);
  } catch (err) {
    ctx.logger.error('ticket-revoked append failed', { error: String(err) });
  }
  await signOut(ctx, session);
  session.endAfterReply();
  return {};
};

/**
 * Everything a leaving user leaves behind, whether by /logout, a dropped connection or
 * server shutdown: presence, userlog.txt line, pending transfers, UDP grant. Safe to call twice.
 * Resolves once userlog.txt is rewritten; never rejects.
 */
export function signOut(ctx: ServerContext, session: ClientSession): Promise<void> {
  ctx.transfers.sessionEnded(session);
  ctx.udp?.sessionEnded(session);
  ctx.idle.forget(session);
  const user = session.user;
  if (!user || !ctx.presence.remove(user.username, session)) return Promise.resolve();
  ctx.cluster?.released(user.username);
  ctx.console(`${user.username} logout`);
  ctx.logger.info('logout', { session: session.id, username: user.username });
  announcePresence(ctx, user.username, 'offline');
  recordSeen(ctx, user.username);
  return ctx.userLog.remove(user.username).catch((err: unknown) => {
    ctx.logger.error('userlog.txt rewrite failed', { error: String(err) });
  });
}
