import type { ActiveUser } from '../../protocol/control.js';
import { type ArgsOf, type ClientCommand, noArguments } from './command.js';

export interface ActiveUsers {
  kind: 'active-users';
  users: ActiveUser[];
}

/** `auto` is never typed: the client sets it when it refreshes on its own (the TUI's pane). */
export const activeuser: ClientCommand<ArgsOf<'activeuser'>, ActiveUsers> = {
  usage: '/activeuser',
  description: 'list the other users online',
  parse: noArguments('activeuser'),
  async run({ connection }, { auto }) {
    const { users } = await connection.request({
      type: 'activeuser',
      ...(auto === true ? { auto: true } : {}),
    });
    return { kind: 'active-users', users };
  },
};
