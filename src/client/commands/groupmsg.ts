import { type ArgsOf, type ClientCommand, ok, splitWords } from './command.js';

export interface GroupSent {
  kind: 'group-sent';
  group: string;
  ts: number;
}

export const groupmsg: ClientCommand<ArgsOf<'groupmsg'>, GroupSent> = {
  usage: '/groupmsg GROUPNAME MESSAGE',
  description: 'send a message to a group chat you joined',
  parse(args, bad) {
    const { words, rest } = splitWords(args, 1);
    if (words.length === 0) return bad('Missing group name and message');
    if (rest.trim() === '') return bad('Missing message');
    return ok({ group: words[0]!, text: rest.trimEnd() });
  },
  async run({ connection }, { group, text }) {
    const { ts } = await connection.request({ type: 'groupmsg', group, text });
    return { kind: 'group-sent', group, ts };
  },
};
