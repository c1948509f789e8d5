import { type ArgsOf, type ClientCommand, ok, wordsOf } from './command.js';

export interface Invited {
  kind: 'invited';
  group: string;
  user: string;
}

export const invite: ClientCommand<ArgsOf<'invite'>, Invited> = {
  usage: '/invite GROUPNAME USERNAME',
  description: 'invite a user to a group chat you joined',
  parse(args, bad) {
    const words = wordsOf(args);
    if (words.length !== 2) {
      return bad(words.length < 2 ? 'Missing group name or username' : 'Too many arguments');
    }
    return ok({ group: words[0]!, user: words[1]! });
  },
  async run({ connection }, { group, user }) {
    return { kind: 'invited', ...(await connection.request({ type: 'invite', group, user })) };
  },
};
