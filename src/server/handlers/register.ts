import { ErrorCode } from '../../protocol/errors.js';
import { hashPassword } from '../auth.js';
import { ServerError } from '../server-error.js';
import { admit } from './login.js';
import { echo, type Handler } from './types.js';

/** Usernames a new account may take: safe in credentials.txt, log lines and file names. */
const USERNAME = /^[A-Za-z0-9_.-]{1,32}$/;
/** credentials.txt separates fields by one space, so a password cannot hold whitespace. */
const PASSWORD = /^\S{1,128}$/;

/**
 * Creates an account (only with `--allow-register`) and logs it in. The password is stored
 * hashed; credentials.txt is replaced atomically before the account exists in memory.
 */
export const register: Handler<'register'> = async (ctx, session, req) => {
  const { username, password, udpPort } = req;
  if (!ctx.allowRegister) {
    throw new ServerError(ErrorCode.RegistrationClosed, 'This server does not allow registration.');
  }
  if (!USERNAME.test(username)) {
    throw new ServerError(
      ErrorCode.BadUsername,
      `Invalid username ${echo(username)}: use 1 to 32 letters, digits, '.', '_' or '-'.`,
    );
  }
  if (!PASSWORD.test(password)) {
    throw new ServerError(
      ErrorCode.BadPassword,
      'Invalid password: use 1 to 128 characters without spaces.',
    );
  }
  if (ctx.auth.exists(username)) {
    throw new ServerError(ErrorCode.UsernameTaken, `The username ${username} is taken.`);
  }
  const stored = hashPassword(password);
  // Claimed before the file write, so a racing registration of the same name is refused.
  ctx.auth.add(username, stored);
  try {
    await ctx.addCredentials(username, stored);
  } catch (err) {
    ctx.auth.remove(username);
    throw err;
  }
  ctx.console(`${username} registered`);
  const ticket = ctx.tickets.issue(session, username, stored);
  return { ...(await admit(ctx, session, username, udpPort)), ticket };
};
