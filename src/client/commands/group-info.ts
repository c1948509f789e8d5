import type { GroupMember, GroupSummary } from '../../protocol/control.js';
import { type ArgsOf, type ClientCommand, noArguments, oneName } from './command.js';

export interface GroupList {
  kind: 'group-list';
  groups: GroupSummary[];
}

export interface GroupMembers {
  kind: 'group-members';
  group: string;
  members: GroupMember[];
}

export const groups: ClientCommand<ArgsOf<'groups'>, GroupList> = {
  usage: '/groups',
  description: 'list your group chats and invitations',
  parse: noArguments('groups'),
  async run({ connection }) {
    return { kind: 'group-list', ...(await connection.request({ type: 'groups' })) };
  },
};

export const members: ClientCommand<ArgsOf<'members'>, GroupMembers> = {
  usage: '/members GROUPNAME',
  description: 'list the members of a group chat and who is online',
  parse: oneName('group', 'Missing group name'),
  async run({ connection }, { group }) {
    return { kind: 'group-members', ...(await connection.request({ type: 'members', group })) };
  },
};
