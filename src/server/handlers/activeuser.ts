import { createHash } from 'node:crypto';
import type { ActiveUser } from '../../protocol/control.js';
import { currentUser, type Handler } from './types.js';

/**
 * Every other online user with the UDP endpoint and login time, and a tag naming the list.
 * A client that polls (the TUI's online pane) sends the tag it has: an unchanged list is
 * answered in a few bytes, and while no one logged in or out, went away or blocked anyone,
 * without walking the online users. So polling every few seconds stays cheaper than telling
 * every login to everyone.
 */
export const activeuser: Handler<'activeuser'> = async (ctx, session, req) => {
  const me = currentUser(session);
  // A client's own refresh (the TUI's online pane) is not the user issuing the command.
  if (req.auto !== true) ctx.console(`${me.username} issued /activeuser command`);
  // Both counters only go up, so their sum changes whenever either does.
  const version = ctx.presence.version + ctx.blocks.version;
  const known = ctx.presence.tagAt(me.username, version);
  if (known !== undefined && req.tag === known) return { users: [], tag: known, unchanged: true };
  // Users who blocked you are invisible to you.
  const users = ctx.presence
    .list(me.username)
    .filter((u) => !ctx.blocks.has(u.username, me.username));
  // The tag depends on the list as you see it, nothing else: a blocker's login, which leaves
  // your list as it was, leaves the tag as it was too.
  const tag = listTag(users);
  ctx.presence.rememberTag(me.username, version, tag);
  if (req.tag === tag) return { users: [], tag, unchanged: true };
  return { users, tag };
};

/** 48 bits of SHA-256 over the list as sent: a safe integer, a collision once in 2^48 changes. */
function listTag(users: readonly ActiveUser[]): number {
  return createHash('sha256').update(JSON.stringify(users)).digest().readUIntBE(0, 6);
}
