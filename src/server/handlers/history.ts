import { ErrorCode } from '../../protocol/errors.js';
import { ServerError } from '../server-error.js';
import { currentUser, echo, type Handler } from './types.js';

export const HISTORY_DEFAULT = 20;
/** Longest history one request returns: the frame cap bounds the reply anyway. */
export const HISTORY_MAX = 500;

/**
 * The last N messages of a conversation: a group you joined, or your direct messages with a
 * user. A name that is both is read as the group when you are in it.
 */
export const history: Handler<'history'> = async (ctx, session, req) => {
  const me = currentUser(session);
  const name = req.conversation;
  const limit = Math.min(req.limit > 0 ? req.limit : HISTORY_DEFAULT, HISTORY_MAX);
  const group = ctx.groups.get(name);
  const state = group?.members.get(me.username);
  if (group && state === 'joined') {
    const rows = await ctx.store.groupHistory(name, limit);
    ctx.console(`${me.username} read the history of group chat ${name}`);
    const messages = rows.map((r) => ({ n: r.n, from: r.from, text: r.text, ts: r.ts }));
    return { conversation: name, kind: 'group', messages };
  }
  if (!ctx.auth.exists(name)) {
    if (group && state === 'invited') {
      throw new ServerError(
        ErrorCode.NotJoined,
        'Please join the group before reading its history.',
      );
    }
    if (group) throw new ServerError(ErrorCode.NotMember, 'You are not in this group chat.');
    throw new ServerError(
      ErrorCode.UnknownUser,
      `No user or group chat named ${echo(name)}. Usage: /history USERNAME|GROUPNAME [N]`,
    );
  }
  const rows = await ctx.store.directHistory(me.username, name, limit);
  ctx.console(`${me.username} read the history with ${name}`);
  const messages = rows.map((r) => ({
    n: r.n,
    from: r.from,
    text: r.text,
    ts: r.ts,
    deliveredAt: r.deliveredAt,
  }));
  return { conversation: name, kind: 'direct', messages };
};
