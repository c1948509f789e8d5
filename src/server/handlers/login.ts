import { ErrorCode } from '../../protocol/errors.js';
import { ServerError } from '../server-error.js';
import type { Handler } from './types.js';

/** Checks credentials and lock-out, then makes the session the user's one online session. */
export const login: Handler<'login'> = async (ctx, session, req) => {
  const { username, password, udpPort } = req;
  ctx.auth.verify(username, password);
  const user = { username, address: session.address, udpPort, since: ctx.clock.now() };
  // Admission is synchronous from here on, so a racing second login sees this one.
  if (!ctx.presence.add(user, session)) {
    throw new ServerError(
      ErrorCode.AlreadyLoggedIn,
      `${username} is already logged in from another terminal.`,
    );
  }
  session.admit(user);
  ctx.auth.succeeded(username);
  ctx.console(`${username} login`);
  ctx.logger.info('login', { session: session.id, username, address: user.address, udpPort });
  try {
    await ctx.userLog.add(user);
  } catch (err) {
    // The user is online either way; a log file problem must not refuse the login.
    ctx.logger.error('userlog.txt append failed', { error: String(err) });
  }
  return { username };
};
