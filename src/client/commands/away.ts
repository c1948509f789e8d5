import { type ArgsOf, type ClientCommand, ok } from './command.js';

export interface Away {
  kind: 'away';
  away: boolean;
  text: string;
}

export const away: ClientCommand<ArgsOf<'away'>, Away> = {
  usage: '/away [TEXT]',
  description: 'mark yourself away with an optional text; /away again when back',
  parse: (args) => ok({ text: args.trim() }),
  async run({ connection }, { text }) {
    return { kind: 'away', ...(await connection.request({ type: 'away', text })) };
  },
};
