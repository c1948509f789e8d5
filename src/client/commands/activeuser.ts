import type { ActiveUser } from '../../protocol/control.js';
import { type ArgsOf, type ClientCommand, noArguments } from './command.js';

export interface ActiveUsers {
  kind: 'active-users';
  users: ActiveUser[];
  /** The server's name for this list; sent back as `tag`, an unchanged list is not resent. */
  tag?: number;
  /** The list is still the one `tag` names: `users` is empty, keep what you have. */
  unchanged?: boolean;
}

/**
 * `auto` and `tag` are never typed: the client sets them when it refreshes on its own (the
 * TUI's online pane polls with the tag of the list it shows).
 */
export const activeuser: ClientCommand<ArgsOf<'activeuser'>, ActiveUsers> = {
  usage: '/activeuser',
  description: 'list the other users online',
  parse: noArguments('activeuser'),
  async run({ connection }, { auto, tag }) {
    const reply = await connection.request({
      type: 'activeuser',
      ...(auto === true ? { auto: true } : {}),
      ...(tag !== undefined ? { tag } : {}),
    });
    return {
      kind: 'active-users',
      users: reply.users,
      ...(reply.tag !== undefined ? { tag: reply.tag } : {}),
      ...(reply.unchanged === true ? { unchanged: true } : {}),
    };
  },
};
