import { type ArgsOf, type ClientCommand, noArguments, oneName } from './command.js';

export interface BlockedUser {
  kind: 'blocked-user';
  user: string;
}

export interface UnblockedUser {
  kind: 'unblocked-user';
  user: string;
}

export interface BlockList {
  kind: 'block-list';
  users: string[];
}

export const block: ClientCommand<ArgsOf<'block'>, BlockedUser> = {
  usage: '/block USERNAME',
  description: "refuse a user's messages and files and hide from them that you are online",
  parse: oneName('user', 'Missing username'),
  async run({ connection }, { user }) {
    return { kind: 'blocked-user', ...(await connection.request({ type: 'block', user })) };
  },
};

export const unblock: ClientCommand<ArgsOf<'unblock'>, UnblockedUser> = {
  usage: '/unblock USERNAME',
  description: 'take a user off your block list',
  parse: oneName('user', 'Missing username'),
  async run({ connection }, { user }) {
    return { kind: 'unblocked-user', ...(await connection.request({ type: 'unblock', user })) };
  },
};

export const blocked: ClientCommand<ArgsOf<'blocked'>, BlockList> = {
  usage: '/blocked',
  description: 'list the users you blocked',
  parse: noArguments('blocked'),
  async run({ connection }) {
    return { kind: 'block-list', ...(await connection.request({ type: 'blocked' })) };
  },
};
