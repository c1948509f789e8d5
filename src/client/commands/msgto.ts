import { type ArgsOf, type ClientCommand, ok, splitWords } from './command.js';

export interface Sent {
  kind: 'sent';
  to: string;
  ts: number;
  /** The message's number, as receipts name it. */
  id?: number;
  /** The receiver is offline: the server keeps it for their next login. */
  queued?: boolean;
  /** The receiver is away, with their away text. */
  away?: string;
}

export const msgto: ClientCommand<ArgsOf<'msgto'>, Sent> = {
  usage: '/msgto USERNAME MESSAGE',
  description: 'send a private message to a user',
  parse(args, bad) {
    const { words, rest } = splitWords(args, 1);
    if (words.length === 0) return bad('Missing username and message');
    if (rest.trim() === '') return bad('Missing message');
    return ok({ to: words[0]!, text: rest.trimEnd() });
  },
  async run({ connection }, { to, text }) {
    const reply = await connection.request({ type: 'msgto', to, text });
    return { kind: 'sent', to, ...reply };
  },
};
