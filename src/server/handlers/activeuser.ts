import { createHash } from 'node:crypto';
import type { ActiveUser } from '../../protocol/control.js';
import { currentUser, type Handler } from './types.js';

/**
 * Every other online user with the UDP endpoint and login time, and a tag naming the list.
 * A client that polls (the TUI's online pane) sends the tag it has: an unchanged list costs a
 * reply of a few bytes instead of the whole list, so polling every few seconds stays cheaper
 * than telling every login to everyone.
 */
export const activeuser: Handler<'activeuser'> = async (ctx, session, req) => {
  const me = currentUser(session);
  // A client's own refresh (the TUI's online pane) is not the user issuing the command.
  if (req.auto !== true) ctx.console(`${me.username} issued /activeuser command`);
  // Users who blocked you are invisible to you.
  const users = ctx.presence
    .list(me.username)
    .filter((u) => !ctx.blocks.has(u.username, me.username));
  const tag = listTag(users);
  if (req.tag === tag) return { users: [], tag, unchanged: true };
  return { users, tag };
};

/** 48 bits of SHA-256 over the list as sent: a safe integer, a collision once in 2^48 polls. */
export function listTag(users: readonly ActiveUser[]): number {
  return createHash('sha256').update(JSON.stringify(users)).digest().readUIntBE(0, 6);
}
