import { currentUser, type Handler } from './types.js';

/** Every other online user with the UDP endpoint and login time. */
export const activeuser: Handler<'activeuser'> = async (ctx, session, req) => {
  const me = currentUser(session);
  // A client's own refresh (the TUI's online pane) is not the user issuing the command.
  if (req.auto !== true) ctx.console(`${me.username} issued /activeuser command`);
  // Users who blocked you are invisible to you.
  const users = ctx.presence
    .list(me.username)
    .filter((u) => !ctx.blocks.has(u.username, me.username));
  return { users };
};
