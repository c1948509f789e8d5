import type { UdpGrant } from '../../protocol/control.js';
import { ErrorCode, ProtocolError } from '../../protocol/errors.js';
import { StoreUnavailableError } from '../../store/store.js';
import type { ClientSession, ServerContext } from '../context.js';
import { announcePresence, recordSeen } from '../notify.js';
import { ServerError } from '../server-error.js';
import { echo, type Handler } from './types.js';

/** Told instead of "Invalid Username" when the server lets unknown names register. */
export const canRegisterText = (user: string): string =>
  `User ${echo(user)} does not exist. Enter the same password again to create the account.`;

/** Refusals that mean a wrong guess, counted against the address. */
const GUESS_FAILURES = new Set<string>([
  ErrorCode.InvalidUsername,
  ErrorCode.InvalidPassword,
  ErrorCode.AccountBlocked,
]);

/**
 * In a cluster, a live session on another node keeps the name as a local one would. The local
 * entry made just before is taken back when the claim fails, or when the connection closed
 * while the claim was on its way (its sign-out found no user to remove).
 */
async function claimInCluster(
  ctx: ServerContext,
  session: ClientSession,
  user: { username: string; address: string; udpPort: number; since: number },
): Promise<void> {
  const cluster = ctx.cluster as NonNullable<ServerContext['cluster']>;
  let mine: boolean;
  try {
    mine = await cluster.claim(user);
  } catch (err) {
    ctx.presence.remove(user.username, session);
    throw new StoreUnavailableError('unreachable', { cause: err });
  }
  if (!mine) {
    ctx.presence.remove(user.username, session);
    throw new ServerError(
      ErrorCode.AlreadyLoggedIn,
      `${user.username} is already logged in from another terminal.`,
    );
  }
  if ((session as { state?: string }).state === 'closed') {
    ctx.presence.remove(user.username, session);
    cluster.released(user.username);
    throw new ServerError(ErrorCode.AlreadyLoggedIn, 'The connection closed during the login.');
  }
}

/** Checks credentials and lock-out, then makes the session the user's one online session. */
export const login: Handler<'login'> = async (ctx, session, req) => {
  const { username, password, udpPort } = req;
  // Before the password check, so an address over its budget learns nothing more.
  ctx.limits.checkLogin(session.address);
  let stored: string;
  try {
    stored = await ctx.auth.verify(username, password);
  } catch (err) {
    if (err instanceof ProtocolError && GUESS_FAILURES.has(err.code)) {
      ctx.limits.recordFailedLogin(session.address);
    }
    if (
      ctx.allowRegister &&
      err instanceof ProtocolError &&
      err.code === ErrorCode.InvalidUsername
    ) {
      throw new ServerError(ErrorCode.CanRegister, canRegisterText(username));
    }
    throw err;
  }
  // Made before admission (which may still refuse), handed out only with the admission.
  const ticket = ctx.tickets.issue(session, username, stored);
  return { ...(await admit(ctx, session, username, udpPort)), ticket };
};

/**
 * Makes a verified user online on this session: presence, idle watch, last-seen, userlog.txt,
 * the others' presence notices and the session's UDP grant (binding and relay credentials).
 * Shared by login and registration.
 */
export async function admit(
  ctx: ServerContext,
  session: ClientSession,
  username: string,
  udpPort: number,
): Promise<{ username: string; udp?: UdpGrant }> {
  // The password check awaits (scrypt runs off the event loop), so a second login pipelined
  // on this connection may get here after the first was admitted: one user per session.
  if (session.user !== null) {
    throw new ServerError(
      ErrorCode.AlreadyAuthenticated,
      `You are already logged in as ${session.user.username}.`,
    );
  }
  const user = { username, address: session.address, udpPort, since: ctx.clock.now() };
  // Admission is synchronous from here on, so a racing second login sees this one.
  if (!ctx.presence.add(user, session)) {
    throw new ServerError(
      ErrorCode.AlreadyLoggedIn,
      `${username} is already logged in from another terminal.`,
    );
  }
  if (ctx.cluster) await claimInCluster(ctx, session, user);
  session.admit(user);
  const udp = ctx.udp?.grant(session);
  ctx.auth.succeeded(username);
  ctx.idle.watch(session);
  ctx.console(`${username} login`);
  ctx.logger.info('login', { session: session.id, username, address: user.address, udpPort });
  announcePresence(ctx, username, 'online');
  recordSeen(ctx, username);
  try {
    await ctx.userLog.add(user);
  } catch (err) {
    // The user is online either way; a log file problem must not refuse the login.
    ctx.logger.error('userlog.txt append failed', { error: String(err) });
  }
  return udp ? { username, udp } : { username };
}
