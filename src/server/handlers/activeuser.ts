import { currentUser, type Handler } from './types.js';

/** Every other online user with the UDP endpoint and login time. */
export const activeuser: Handler<'activeuser'> = async (ctx, session) => {
  const me = currentUser(session);
  ctx.console(`${me.username} issued /activeuser command`);
  // Users who blocked you are invisible to you.
  const users = ctx.presence
    .list(me.username)
    .filter((u) => !ctx.blocks.has(u.username, me.username));
  return { users };
};
