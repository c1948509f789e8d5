/**
 * Reaching a user whether or not they are online: push now, or keep the event in their
 * offline queue for the next login. And presence changes, told to the user's contacts.
 */
import type { PushEvent } from '../protocol/control.js';
import type { ClientSession, ServerContext } from './context.js';

/** Pushes to the user's session, or queues the event durably when they are offline. */
export async function pushOrQueue(
  ctx: ServerContext,
  username: string,
  event: PushEvent,
): Promise<void> {
  const session = ctx.presence.session(username);
  if (session) {
    session.push(event);
    return;
  }
  await ctx.store.enqueue(username, event);
}

/**
 * Tells `user`'s presence change to the online users who know them: those who share a group
 * of at most MAX_PRESENCE_GROUP members with them (joined or invited) and those they exchanged
 * direct messages with. Not to
 * everyone online, as IRC tells only channel peers and XMPP only the roster: a login then
 * costs its contacts, not O(users online), and N logins cost O(N), not N²/2 pushes. The full
 * online list is /activeuser. Those `user` has blocked hear nothing: a blocked user must not
 * learn that you are online.
 */
export function announcePresence(
  ctx: ServerContext,
  user: string,
  status: 'online' | 'offline' | 'away' | 'back',
  text?: string,
): void {
  const watchers = presenceWatchers(ctx, user);
  if (watchers.size === 0) return;
  const event: PushEvent = {
    type: 'presence',
    user,
    status,
    ts: ctx.clock.now(),
    ...(text !== undefined && text !== '' ? { text } : {}),
  };
  for (const session of watchers) session.push(event);
}

/**
 * Groups bigger than this make no presence contacts: in a company-wide group every login would
 * again be told to everyone (N²/2 pushes), which is what contacts-only presence avoids.
 */
export const MAX_PRESENCE_GROUP = 256;

/**
 * The online sessions told of `user`'s presence changes (see announcePresence): on this node
 * only. In a cluster every node tells its own users when it hears of the change (the `events`
 * stream), since the node a watcher is on is the one that knows whom they talked with.
 */
export function presenceWatchers(ctx: ServerContext, user: string): Set<ClientSession> {
  const out = new Set<ClientSession>();
  const add = (name: string): void => {
    if (name === user || ctx.blocks.has(user, name)) return;
    const session = ctx.presence.localSession(name);
    if (session) out.add(session);
  };
  for (const group of ctx.groups.of(user)) {
    // A big group is a channel, not a circle of contacts: its members use /members.
    if (group.members.size > MAX_PRESENCE_GROUP) continue;
    for (const name of group.members.keys()) add(name);
  }
  for (const name of ctx.presence.partners(user)) add(name);
  return out;
}

/** Records a login or logout time: in memory now, in the store within a second (last-seen.ts). */
export function recordSeen(ctx: ServerContext, username: string): void {
  ctx.lastSeen.record(username, ctx.clock.now());
}

/**
 * Tells a group's other online members that `user` joined, was invited or left, as an IRC
 * server tells a channel JOIN and PART: their member lists follow without asking. `user` is
 * told by their own reply (or invitation) instead. One push per online member, as a message.
 */
export function announceMembership(
  ctx: ServerContext,
  group: string,
  user: string,
  state: 'joined' | 'invited' | 'left',
): void {
  const found = ctx.groups.get(group);
  if (!found) return;
  for (const name of found.members.keys()) {
    if (name === user) continue;
    const session = ctx.presence.session(name);
    if (!session) continue;
    // Someone who blocked you does not show as online, as in the /members reply.
    const online = ctx.presence.isOnline(user) && !ctx.blocks.has(user, name);
    session.push({ type: 'group-member', group, user, state, online });
  }
}
