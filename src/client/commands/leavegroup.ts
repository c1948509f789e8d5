import { type ArgsOf, type ClientCommand, oneName } from './command.js';

export interface GroupLeft {
  kind: 'group-left';
  group: string;
}

export const leavegroup: ClientCommand<ArgsOf<'leavegroup'>, GroupLeft> = {
  usage: '/leavegroup GROUPNAME',
  description: 'leave a group chat, or decline its invitation',
  parse: oneName('group', 'Missing group name'),
  async run({ connection }, { group }) {
    return { kind: 'group-left', ...(await connection.request({ type: 'leavegroup', group })) };
  },
};
