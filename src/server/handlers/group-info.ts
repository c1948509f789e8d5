import { ErrorCode } from '../../protocol/errors.js';
import { ServerError } from '../server-error.js';
import { currentUser, echo, type Handler } from './types.js';

/** Your groups and invitations, in creation order. */
export const groups: Handler<'groups'> = async (ctx, session) => {
  const me = currentUser(session);
  return {
    groups: ctx.groups.of(me.username).map((g) => ({
      group: g.name,
      state: g.members.get(me.username) ?? 'invited',
      members: g.members.size,
      invitedBy: g.invitedBy.get(me.username) ?? null,
    })),
  };
};

/** A group's members with their state and whether they are online; members only. */
export const members: Handler<'members'> = async (ctx, session, req) => {
  const me = currentUser(session);
  const found = ctx.groups.get(req.group);
  if (!found) {
    throw new ServerError(ErrorCode.NoSuchGroup, `Groupchat ${echo(req.group)} doesn't exist.`);
  }
  if (!found.members.has(me.username)) {
    throw new ServerError(ErrorCode.NotMember, 'You are not in this group chat.');
  }
  return {
    group: found.name,
    members: [...found.members].map(([username, state]) => ({
      username,
      state,
      // Someone who blocked you does not show as online, here either.
      online: ctx.presence.isOnline(username) && !ctx.blocks.has(username, me.username),
    })),
  };
};
