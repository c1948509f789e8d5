/** The command table: the request each command sends, and the result it makes of the reply. */
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/client/commands/command.js';
import { COMMAND_NAMES, parseCommand, runCommand } from '../../src/client/commands/index.js';

/** A connection that records requests and answers each with `reply`. */
function fakeContext(reply: object) {
  const sent: unknown[] = [];
  const ctx: CommandContext = {
    connection: {
      request: async (req) => {
        sent.push(req);
        return reply as never;
      },
    },
    transfers: { sendFile: async () => ({ transferId: 't', to: 'x', filename: 'f', size: 1 }) },
    me: 'Yoda',
    logout: async () => ({ kind: 'logged-out', username: 'Yoda' }),
  };
  return { ctx, sent };
}

async function run(line: string, reply: object = {}) {
  const parsed = parseCommand(line);
  if (!parsed.ok) throw new Error(parsed.error);
  const { ctx, sent } = fakeContext(reply);
  const result = await runCommand(ctx, parsed.command);
  return { sent, result };
}

describe('client commands', () => {
  it.each([
    ['/msgto obiwan hi  there', { type: 'msgto', to: 'obiwan', text: 'hi  there' }],
    ['/activeuser', { type: 'activeuser' }],
    ['/creategroup jedi a b', { type: 'creategroup', group: 'jedi', members: ['a', 'b'] }],
    ['/joingroup jedi', { type: 'joingroup', group: 'jedi' }],
    ['/groupmsg jedi hi', { type: 'groupmsg', group: 'jedi', text: 'hi' }],
    ['/history jedi 5', { type: 'history', conversation: 'jedi', limit: 5 }],
    ['/broadcast hi', { type: 'broadcast', text: 'hi' }],
    ['/block vader', { type: 'block', user: 'vader' }],
    ['/unblock vader', { type: 'unblock', user: 'vader' }],
    ['/blocked', { type: 'blocked' }],
    ['/lastseen 15', { type: 'lastseen', minutes: 15 }],
    ['/away lunch', { type: 'away', text: 'lunch' }],
    ['/groups', { type: 'groups' }],
    ['/members jedi', { type: 'members', group: 'jedi' }],
    ['/invite jedi Hans', { type: 'invite', group: 'jedi', user: 'Hans' }],
    ['/leavegroup jedi', { type: 'leavegroup', group: 'jedi' }],
  ])('%s sends exactly its request', async (line, request) => {
    const { sent } = await run(line, { users: [], group: 'jedi', members: [], messages: [] });
    // toStrictEqual: no stray field (the command's name) goes on the wire.
    expect(sent).toStrictEqual([request]);
  });

  it('makes its result from the reply', async () => {
    expect((await run('/msgto obiwan hi', { ts: 5, id: 2 })).result).toEqual({
      kind: 'sent',
      to: 'obiwan',
      ts: 5,
      id: 2,
    });
    const history = await run('/history jedi', {
      conversation: 'jedi',
      kind: 'group',
      messages: [],
    });
    expect(history.result).toEqual({
      kind: 'history',
      conversation: 'jedi',
      conversationKind: 'group',
      messages: [],
    });
    expect((await run('/logout')).result).toEqual({ kind: 'logged-out', username: 'Yoda' });
    expect((await run('/p2pvideo x f')).sent).toEqual([]);
  });

  it('polls the online users with a tag and passes an unchanged answer on', async () => {
    const { ctx, sent } = fakeContext({ users: [], tag: 7, unchanged: true });
    const result = await runCommand(ctx, { name: 'activeuser', auto: true, tag: 7 });
    expect(sent).toStrictEqual([{ type: 'activeuser', auto: true, tag: 7 }]);
    expect(result).toEqual({ kind: 'active-users', users: [], tag: 7, unchanged: true });
    const users = [{ username: 'obiwan', address: '127.0.0.1', udpPort: 1, since: 2 }];
    expect((await run('/activeuser', { users, tag: 8 })).result).toEqual({
      kind: 'active-users',
      users,
      tag: 8,
    });
  });

  it('lists every command once, in help order', () => {
    expect(COMMAND_NAMES.slice(0, 7)).toEqual([
      'msgto',
      'activeuser',
      'creategroup',
      'joingroup',
      'groupmsg',
      'p2pvideo',
      'logout',
    ]);
    expect(new Set(COMMAND_NAMES).size).toBe(COMMAND_NAMES.length);
  });
});
