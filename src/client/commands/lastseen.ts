import type { SeenUser } from '../../protocol/control.js';
import { type ArgsOf, type ClientCommand, ok, positive, wordsOf } from './command.js';

export interface LastSeen {
  kind: 'last-seen';
  minutes: number;
  users: SeenUser[];
}

/** Default MINUTES of /lastseen. */
const LASTSEEN_DEFAULT = 60;

export const lastseen: ClientCommand<ArgsOf<'lastseen'>, LastSeen> = {
  usage: '/lastseen [MINUTES]',
  description: 'list users seen in the last MINUTES minutes (default 60)',
  parse(args, bad) {
    const words = wordsOf(args);
    if (words.length > 1) return bad('Too many arguments');
    const minutes = words.length === 1 ? positive(words[0]) : LASTSEEN_DEFAULT;
    if (minutes === null) return bad('MINUTES must be a whole number above 0');
    return ok({ minutes });
  },
  async run({ connection }, { minutes }) {
    return { kind: 'last-seen', ...(await connection.request({ type: 'lastseen', minutes })) };
  },
};
