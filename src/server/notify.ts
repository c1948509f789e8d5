/**
 * Reaching a user whether or not they are online: push now, or keep the event in their
 * offline queue for the next login. And presence changes, told to everyone allowed to see.
 */
import type { PushEvent } from '../protocol/control.js';
import type { ServerContext } from './context.js';

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
 * Tells every other online user about `user`'s presence change, except those `user` has
 * blocked: a blocked user must not learn that you are online.
 */
export function announcePresence(
  ctx: ServerContext,
  user: string,
  status: 'online' | 'offline' | 'away' | 'back',
  text?: string,
): void {
  const event: PushEvent = {
    type: 'presence',
    user,
    status,
    ts: ctx.clock.now(),
    ...(text !== undefined && text !== '' ? { text } : {}),
  };
  for (const name of ctx.presence.names()) {
    if (name === user || ctx.blocks.has(user, name)) continue;
    ctx.presence.session(name)?.push(event);
  }
}

/** Records a login or logout time, in memory and durably; a store failure is only logged. */
export async function recordSeen(ctx: ServerContext, username: string): Promise<void> {
  const now = ctx.clock.now();
  ctx.presence.lastSeen.set(username, now);
  try {
    await ctx.store.setLastSeen(username, now);
  } catch (err) {
    ctx.logger.error('last-seen write failed', { error: String(err) });
  }
}
