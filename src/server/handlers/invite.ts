import { ErrorCode } from '../../protocol/errors.js';
import { announceMembership, pushOrQueue } from '../notify.js';
import { ServerError } from '../server-error.js';
import { currentUser, echo, type Handler, unknownUserText } from './types.js';

const USAGE = 'Usage: /invite GROUPNAME USERNAME';

/**
 * A joined member invites another user, online or not; the invitation is durable and reaches
 * them now or at their next login.
 */
export const invite: Handler<'invite'> = async (ctx, session, req) => {
  const me = currentUser(session);
  const { group, user } = req;
  const found = ctx.groups.get(group);
  if (!found) {
    throw new ServerError(ErrorCode.NoSuchGroup, `Groupchat ${echo(group)} doesn't exist.`);
  }
  const state = found.members.get(me.username);
  if (state === undefined) {
    throw new ServerError(ErrorCode.NotMember, 'You are not in this group chat.');
  }
  if (state !== 'joined') {
    throw new ServerError(ErrorCode.NotJoined, 'Please join the group before inviting others.');
  }
  if (!ctx.auth.exists(user)) {
    throw new ServerError(ErrorCode.UnknownUser, `${unknownUserText(user)} ${USAGE}`);
  }
  const theirs = found.members.get(user);
  if (theirs !== undefined) {
    const what = theirs === 'joined' ? 'is already in' : 'is already invited to';
    throw new ServerError(ErrorCode.AlreadyMember, `${user} ${what} group chat ${group}.`);
  }
  await ctx.groups.invite(found, user, me.username);
  announceMembership(ctx, group, user, 'invited');
  await pushOrQueue(ctx, user, {
    type: 'group-invite',
    group,
    from: me.username,
    members: [...found.members.keys()],
  });
  ctx.console(`${me.username} invited ${user} to group chat ${group}`);
  return { group, user };
};
