import { type ArgsOf, type ClientCommand, ok } from './command.js';

export interface BroadcastSent {
  kind: 'broadcast-sent';
  ts: number;
  recipients: number;
}

export const broadcast: ClientCommand<ArgsOf<'broadcast'>, BroadcastSent> = {
  usage: '/broadcast MESSAGE',
  description: 'send a message to every online user',
  parse(args, bad) {
    const text = args.trim();
    return text === '' ? bad('Missing message') : ok({ text });
  },
  async run({ connection }, { text }) {
    return { kind: 'broadcast-sent', ...(await connection.request({ type: 'broadcast', text })) };
  },
};
