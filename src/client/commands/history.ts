import type { HistoryEntry } from '../../protocol/control.js';
import { type ArgsOf, type ClientCommand, ok, positive, wordsOf } from './command.js';

export interface History {
  kind: 'history';
  conversation: string;
  conversationKind: 'direct' | 'group';
  messages: HistoryEntry[];
}

/** Default N of /history. */
const HISTORY_DEFAULT = 20;

export const history: ClientCommand<ArgsOf<'history'>, History> = {
  usage: '/history USERNAME|GROUPNAME [N]',
  description: 'show the last N messages (default 20) with a user or in a group chat',
  parse(args, bad) {
    const words = wordsOf(args);
    if (words.length === 0) return bad('Missing user or group name');
    if (words.length > 2) return bad('Too many arguments');
    const limit = words.length === 2 ? positive(words[1]) : HISTORY_DEFAULT;
    if (limit === null) return bad('N must be a whole number above 0');
    return ok({ conversation: words[0]!, limit });
  },
  async run({ connection }, { conversation, limit }) {
    const reply = await connection.request({ type: 'history', conversation, limit });
    return {
      kind: 'history',
      conversation: reply.conversation,
      conversationKind: reply.kind,
      messages: reply.messages,
    };
  },
};
