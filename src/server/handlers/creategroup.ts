import { ErrorCode } from '../../protocol/errors.js';
import { GROUP_NAME, MAX_GROUP_NAME } from '../groups.js';
import { ServerError } from '../server-error.js';
import { currentUser, echo, type Handler, unknownUserText } from './types.js';

const USAGE = 'Usage: /creategroup GROUPNAME USERNAME [USERNAME ...]';
const NEED_MEMBERS_TEXT = 'Please enter at least one more active users.';

function existsText(group: string): string {
  return `Failed to create the group chat ${group}: group name exists!`;
}

function listText(users: readonly string[], one: string, many: string): string {
  return users.length === 1 ? `${users[0]} ${one}` : `${users.join(', ')} ${many}`;
}

/**
 * Creates a group: the creator joins, the listed users are invited. Every listed user must
 * exist and be online, otherwise nothing is created.
 */
export const creategroup: Handler<'creategroup'> = async (ctx, session, req) => {
  const me = currentUser(session);
  const { group } = req;
  if (req.members.length === 0) throw new ServerError(ErrorCode.NeedMembers, NEED_MEMBERS_TEXT);
  if (!GROUP_NAME.test(group)) {
    throw new ServerError(
      ErrorCode.BadGroupName,
      `Group name must contain only letters and digits: ${echo(group)}. ${USAGE}`,
    );
  }
  if (group.length > MAX_GROUP_NAME) {
    throw new ServerError(
      ErrorCode.BadGroupName,
      `Group name must be at most ${MAX_GROUP_NAME} letters and digits: ${echo(group)}`,
    );
  }
  if (ctx.groups.has(group)) throw new ServerError(ErrorCode.GroupExists, existsText(group));
  // Duplicates and the creator listed again are ignored, keeping the order given.
  const invited = [...new Set(req.members)].filter((u) => u !== me.username);
  const unknown = invited.filter((u) => !ctx.auth.exists(u));
  if (unknown.length > 0) {
    const text =
      unknown.length === 1
        ? unknownUserText(unknown[0]!)
        : `Users ${unknown.map(echo).join(', ')} do not exist.`;
    throw new ServerError(ErrorCode.UnknownUser, text, { users: unknown });
  }
  // Checked before "offline": whether someone who blocked you is online must stay hidden.
  const blockedBy = invited.filter((u) => ctx.blocks.has(u, me.username));
  if (blockedBy.length > 0) {
    throw new ServerError(
      ErrorCode.Blocked,
      `${listText(blockedBy, 'has', 'have')} blocked you; you cannot add them to a group.`,
      { users: blockedBy },
    );
  }
  const offline = invited.filter((u) => !ctx.presence.isOnline(u));
  if (offline.length > 0) {
    throw new ServerError(ErrorCode.UserOffline, `${listText(offline, 'is', 'are')} offline.`, {
      users: offline,
    });
  }
  if (invited.length === 0) throw new ServerError(ErrorCode.NeedMembers, NEED_MEMBERS_TEXT);
  if (!(await ctx.groups.create(group, me.username, invited, ctx.clock.now()))) {
    throw new ServerError(ErrorCode.GroupExists, existsText(group));
  }
  const members = [me.username, ...invited];
  for (const user of invited) {
    ctx.presence.session(user)?.push({ type: 'group-invite', group, from: me.username, members });
  }
  ctx.console(
    `Group chat room has been created, room name: ${group}, users in this room: ${members.join(', ')}`,
  );
  return { group, members };
};
