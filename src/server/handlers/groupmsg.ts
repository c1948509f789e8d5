import { ErrorCode } from '../../protocol/errors.js';
import { formatMessageLine } from '../logs/message-log.js';
import { writeStoredLine } from '../logs/stored-line.js';
import { ServerError } from '../server-error.js';
import { currentUser, type Handler } from './types.js';

export const EMPTY_GROUP_MESSAGE_TEXT =
  'Message cannot be empty. Usage: /groupmsg GROUPNAME MESSAGE';

/**
 * A group message: stored (queued for joined members who are offline), logged in the
 * group's file, pushed to every other joined online member, then acknowledged.
 */
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
  const others = [...found.members]
    .filter(([member, s]) => member !== me.username && s === 'joined')
    .map(([member]) => member);
  const offline = others.filter((m) => !ctx.presence.isOnline(m));
  const record = await ctx.store.addGroupMessage({ group, ts, from: me.username, text }, offline);
  const line = formatMessageLine(record.n, ts, me.username, text);
  await writeStoredLine(ctx.logger, found.log.path, found.log.writeLine(record.n, line));
  const event = { type: 'group-message' as const, group, from: me.username, text, ts };
  for (const member of others) {
    if (offline.includes(member)) continue;
    const receiver = ctx.presence.session(member);
    // In a cluster a copy is kept a few seconds in case this node dies with it unsent.
    if (ctx.cluster && ctx.presence.isLocal(member)) ctx.cluster.retain(member, event);
    if (receiver) receiver.push(event);
    else await ctx.store.enqueue(member, { ...event, offline: true });
  }
  ctx.console(`${me.username} issued a message in group chat ${group}: ${line}`);
  return { ts };
};
