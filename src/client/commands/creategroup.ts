import { type ArgsOf, type ClientCommand, ok, wordsOf } from './command.js';

export interface GroupCreated {
  kind: 'group-created';
  group: string;
  members: string[];
}

export const creategroup: ClientCommand<ArgsOf<'creategroup'>, GroupCreated> = {
  usage: '/creategroup GROUPNAME USERNAME [USERNAME ...]',
  description: 'create a group chat and invite online users to it',
  parse(args, bad) {
    const words = wordsOf(args);
    if (words.length === 0) return bad('Missing group name');
    if (words.length === 1) return bad('Please enter at least one more active users');
    const [group, ...members] = words as [string, ...string[]];
    return ok({ group, members });
  },
  async run({ connection }, { group, members }) {
    const reply = await connection.request({ type: 'creategroup', group, members });
    return { kind: 'group-created', group: reply.group, members: reply.members };
  },
};
