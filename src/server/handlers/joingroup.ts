import { ErrorCode } from '../../protocol/errors.js';
import { announceMembership } from '../notify.js';
import { ServerError } from '../server-error.js';
import { currentUser, echo, type Handler } from './types.js';

/** An invited user joins; only joined members receive the group's messages. */
export const joingroup: Handler<'joingroup'> = async (ctx, session, req) => {
  const me = currentUser(session);
  const { group } = req;
  const found = ctx.groups.get(group);
  if (!found) {
    throw new ServerError(ErrorCode.NoSuchGroup, `Groupchat ${echo(group)} doesn't exist.`);
  }
  const state = found.members.get(me.username);
  if (state === undefined) {
    throw new ServerError(ErrorCode.NotInvited, `You are not invited to group chat ${group}.`);
  }
  if (state === 'joined') {
    throw new ServerError(ErrorCode.AlreadyJoined, `You have already joined Groupchat ${group}`);
  }
  await ctx.groups.join(found, me.username);
  announceMembership(ctx, group, me.username, 'joined');
  ctx.console(`${me.username} joined group chat ${group}`);
  return { group };
};
