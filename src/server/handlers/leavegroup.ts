import { ErrorCode } from '../../protocol/errors.js';
import { announceMembership } from '../notify.js';
import { ServerError } from '../server-error.js';
import { currentUser, echo, type Handler } from './types.js';

/** Leaves a group you joined, or declines an invitation. The group stays for the others. */
export const leavegroup: Handler<'leavegroup'> = async (ctx, session, req) => {
  const me = currentUser(session);
  const { group } = req;
  const found = ctx.groups.get(group);
  if (!found) {
    throw new ServerError(ErrorCode.NoSuchGroup, `Groupchat ${echo(group)} doesn't exist.`);
  }
  if (!found.members.has(me.username)) {
    throw new ServerError(ErrorCode.NotMember, 'You are not in this group chat.');
  }
  await ctx.groups.leave(found, me.username);
  announceMembership(ctx, group, me.username, 'left');
  ctx.console(`${me.username} left group chat ${group}`);
  return { group };
};
