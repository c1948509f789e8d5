import { ErrorCode } from '../../protocol/errors.js';
import { ServerError } from '../server-error.js';
import { currentUser, type Handler } from './types.js';

export const EMPTY_GROUP_MESSAGE_TEXT =
  'Message cannot be empty. Usage: /groupmsg GROUPNAME MESSAGE';

/** A group message: logged in the group's file, pushed to every other joined online member. */
export const groupmsg: Handler<'groupmsg'> = async (ctx, session, req) => {
  const me = currentUser(session);
  const { group, text } = req;
  const found = ctx.groups.get(group);
  if (!found) throw new ServerError(ErrorCode.NoSuchGroup, 'The group chat does not exist.');
  const state = found.members.get(me.username);
  if (state === undefined) {
    throw new ServerError(ErrorCode.NotMember, 'You are not in this group chat.');
  }
  if (state !== 'joined') {
    throw new ServerError(ErrorCode.NotJoined, 'Please join the group before sending messages.');
  }
  if (text.trim() === '') {
    throw new ServerError(ErrorCode.EmptyMessage, EMPTY_GROUP_MESSAGE_TEXT);
  }
  const ts = ctx.clock.now();
  const { line } = await found.log.append(ts, me.username, text);
  for (const [member, memberState] of found.members) {
    if (member === me.username || memberState !== 'joined') continue;
    ctx.presence
      .session(member)
      ?.push({ type: 'group-message', group, from: me.username, text, ts });
  }
  ctx.console(`${me.username} issued a message in group chat ${group}: ${line}`);
  return { ts };
};
