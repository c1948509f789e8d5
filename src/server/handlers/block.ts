import { ErrorCode } from '../../protocol/errors.js';
import type { ServerContext } from '../context.js';
import type { OnlineUser } from '../presence.js';
import { ServerError } from '../server-error.js';
import { currentUser, type Handler, unknownUserText } from './types.js';

function checkOther(ctx: ServerContext, me: OnlineUser, user: string, usage: string): void {
  if (!ctx.auth.exists(user)) {
    throw new ServerError(ErrorCode.UnknownUser, `${unknownUserText(user)} Usage: ${usage}`);
  }
  if (user === me.username) throw new ServerError(ErrorCode.Self, 'You cannot block yourself.');
}

/** Blocks a user: their direct messages and files are refused and they stop seeing you online. */
export const block: Handler<'block'> = async (ctx, session, req) => {
  const me = currentUser(session);
  const { user } = req;
  checkOther(ctx, me, user, '/block USERNAME');
  if (ctx.blocks.has(me.username, user)) {
    throw new ServerError(ErrorCode.AlreadyBlocked, `You have already blocked ${user}.`);
  }
  await ctx.blocks.set(me.username, user, true);
  ctx.console(`${me.username} blocked ${user}`);
  return { user };
};

export const unblock: Handler<'unblock'> = async (ctx, session, req) => {
  const me = currentUser(session);
  const { user } = req;
  checkOther(ctx, me, user, '/unblock USERNAME');
  if (!ctx.blocks.has(me.username, user)) {
    throw new ServerError(ErrorCode.NotBlocked, `${user} is not blocked.`);
  }
  await ctx.blocks.set(me.username, user, false);
  ctx.console(`${me.username} unblocked ${user}`);
  return { user };
};

export const blocked: Handler<'blocked'> = async (ctx, session) => {
  const me = currentUser(session);
  return { users: ctx.blocks.list(me.username) };
};
