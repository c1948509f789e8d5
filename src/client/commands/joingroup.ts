import { type ArgsOf, type ClientCommand, oneName } from './command.js';

export interface GroupJoined {
  kind: 'group-joined';
  group: string;
}

export const joingroup: ClientCommand<ArgsOf<'joingroup'>, GroupJoined> = {
  usage: '/joingroup GROUPNAME',
  description: 'join a group chat you were invited to',
  parse: oneName('group', 'Missing group name'),
  async run({ connection }, args) {
    const { group } = await connection.request({ type: 'joingroup', group: args.group });
    return { kind: 'group-joined', group };
  },
};
