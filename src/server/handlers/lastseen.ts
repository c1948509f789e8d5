import type { SeenUser } from '../../protocol/control.js';
import { currentUser, type Handler } from './types.js';

export const LASTSEEN_DEFAULT_MINUTES = 60;

/**
 * Users seen (online now, or logged in or out) in the last N minutes, most recent first.
 * Users who blocked you are left out. Time is the server's clock (injected in tests).
 */
export const lastseen: Handler<'lastseen'> = async (ctx, session, req) => {
  const me = currentUser(session);
  const minutes = req.minutes > 0 ? req.minutes : LASTSEEN_DEFAULT_MINUTES;
  const now = ctx.clock.now();
  const since = now - minutes * 60_000;
  const users: SeenUser[] = [];
  const visible = (name: string) => name !== me.username && !ctx.blocks.has(name, me.username);
  for (const name of ctx.presence.names()) {
    if (visible(name)) users.push({ username: name, lastSeen: now, online: true });
  }
  for (const [name, ts] of ctx.presence.lastSeen) {
    if (ts < since || ctx.presence.isOnline(name) || !visible(name)) continue;
    users.push({ username: name, lastSeen: ts, online: false });
  }
  users.sort((a, b) => b.lastSeen - a.lastSeen || a.username.localeCompare(b.username));
  return { minutes, users };
};
