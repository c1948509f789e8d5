import { type ClientCommand, type LoggedOut, noArguments } from './command.js';

export const logout: ClientCommand<Record<string, never>, LoggedOut> = {
  usage: '/logout',
  description: 'log out and quit',
  parse: noArguments('logout'),
  run: (ctx) => ctx.logout(),
};
