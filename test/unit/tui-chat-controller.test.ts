import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ChatClient } from '../../src/client/chat-client.js';
import type { Command, CommandResult } from '../../src/client/commands/index.js';
import { ConnectionError } from '../../src/client/connection.js';
import { ErrorCode, ProtocolError } from '../../src/protocol/errors.js';
import { ChatController } from '../../src/tui/chat-controller.js';
import { createChatState } from '../../src/tui/chat-state.js';

/** The part of ChatClient the controller uses: events in, commands out. */
class FakeClient extends EventEmitter {
  ran: Command[] = [];
  fail: Error | null = null;
  sent: { id?: number; queued?: boolean } = {};
  history: Array<{ n: number; from: string; text: string; ts: number }> = [];
  async run(c: Command): Promise<CommandResult> {
    this.ran.push(c);
    if (this.fail) throw this.fail;
    if (c.name === 'msgto') return { kind: 'sent', to: c.to, ts: 1, ...this.sent };
    if (c.name === 'groupmsg') return { kind: 'group-sent', group: c.group, ts: 1 };
    if (c.name === 'joingroup') return { kind: 'group-joined', group: c.group };
    if (c.name === 'history') {
      const group = c.conversation === 'jedi';
      return {
        kind: 'history',
        conversation: c.conversation,
        conversationKind: group ? 'group' : 'direct',
        messages: this.history,
      };
    }
    return { kind: 'active-users', users: [] };
  }
  async logout(): Promise<CommandResult> {
    return { kind: 'logged-out', username: 'Yoda' };
  }
}

function setup() {
  const client = new FakeClient();
  const state = createChatState('Yoda', '127.0.0.1:5000');
  const calls = {
    bells: 0,
    quit: [] as number[],
    cancelled: [] as string[],
    refreshes: 0,
  };
  const controller = new ChatController(
    client as unknown as ChatClient,
    state,
    {
      redraw: () => {},
      bell: () => calls.bells++,
      quit: (code) => calls.quit.push(code),
      retryNow: () => {},
      cancelTransfer: (id) => {
        calls.cancelled.push(id);
        return true;
      },
      refreshUsers: () => calls.refreshes++,
    },
    () => 5,
  );
  controller.start();
  return { client, state, calls, controller };
}

const texts = (lines: Array<{ text: string }>) => lines.map((l) => l.text);

describe('ChatController', () => {
  it('puts direct and group messages in their panes, ringing for DMs and mentions', () => {
    const { client, state, calls } = setup();
    client.emit('message', { from: 'obiwan', text: 'hi', ts: 1 });
    client.emit('group-message', { group: 'jedi', from: 'obiwan', text: 'all hands', ts: 2 });
    expect(calls.bells).toBe(1);
    client.emit('group-message', { group: 'jedi', from: 'obiwan', text: 'yoda, come', ts: 3 });
    expect(calls.bells).toBe(2);
    expect(texts(state.store.get('@obiwan')!.lines)).toEqual(['hi']);
    expect(state.store.get('#jedi')!).toMatchObject({ unread: 2, mentions: 1 });
    expect(state.groups.has('jedi')).toBe(true);
  });

  it('sends text typed in a pane to its peer or group and shows it as own', async () => {
    const { client, state, controller } = setup();
    state.store.focus(state.store.ensure('direct', 'obiwan').id);
    await controller.submit('hello there');
    expect(client.ran).toEqual([{ name: 'msgto', to: 'obiwan', text: 'hello there' }]);
    expect(state.store.active.lines.at(-1)).toMatchObject({ kind: 'own', from: 'Yoda' });
  });

  it('shows SPEC.md errors in the pane in focus', async () => {
    const { client, state, controller } = setup();
    client.fail = new ProtocolError(ErrorCode.UnknownUser, 'User nobody does not exist.');
    await controller.submit('/msgto nobody hi');
    expect(state.store.active.lines.at(-1)).toMatchObject({
      kind: 'error',
      text: 'User nobody does not exist.',
    });
  });

  it('queues what is typed while offline and sends it once back', async () => {
    const { client, state, controller } = setup();
    state.store.focus(state.store.ensure('group', 'jedi').id);
    state.link = { state: 'connecting', attempt: 1 };
    await controller.submit('first');
    client.fail = new ConnectionError('lost', 'ECLOSED');
    state.link = { state: 'online' };
    await controller.submit('second');
    expect(state.outbox.map((q) => q.line)).toEqual(['first', 'second']);
    client.fail = null;
    client.ran = [];
    await controller.flushOutbox();
    expect(client.ran.map((c) => (c.name === 'groupmsg' ? c.text : ''))).toEqual([
      'first',
      'second',
    ]);
    expect(state.outbox).toEqual([]);
  });

  it('runs the TUI commands: query, search, help, close', async () => {
    const { state, controller } = setup();
    await controller.submit('/query vader');
    expect(state.store.active.id).toBe('@vader');
    await controller.submit('/search dark side');
    expect(state.search).toEqual({ convId: '@vader', query: 'dark side' });
    await controller.submit('/search');
    expect(state.search).toBeNull();
    await controller.submit('/close');
    expect(state.store.active.id).toBe('server');
    await controller.submit('/help joingroup');
    expect(state.store.active.lines.at(-1)!.text).toBe(
      '/joingroup GROUPNAME: join a group chat you were invited to',
    );
  });

  it('joins a group into its own pane and logs out on /logout', async () => {
    const { client, state, calls, controller } = setup();
    await controller.submit('/joingroup jedi');
    expect(state.store.active.id).toBe('#jedi');
    expect(texts(state.store.active.lines)).toEqual(['Joined the group chat: jedi successfully.']);
    expect(client.ran.at(-1)).toEqual({ name: 'history', conversation: 'jedi', limit: 50 });
    await controller.submit('/logout');
    expect(calls.quit).toEqual([0]);
  });

  it('marks own messages queued, then delivered when the receipt comes', async () => {
    const { client, state, controller } = setup();
    client.sent = { id: 41, queued: true };
    await controller.submit('/msgto vader see you');
    const dm = state.store.get('@vader')!;
    expect(dm.lines[0]).toMatchObject({ kind: 'own', id: 41, queued: true });
    expect(dm.lines[1]!.text).toMatch(/^vader is offline: message queued at /);
    client.emit('receipt', { id: 41, to: 'vader', ts: 1, deliveredAt: 2 });
    expect(dm.lines[0]!.delivered).toBe(true);
  });

  it('keeps a receipt that beats the reply to its /msgto', async () => {
    const { client, state, controller } = setup();
    client.sent = { id: 7 };
    client.emit('receipt', { id: 7, to: 'vader', ts: 1, deliveredAt: 2 });
    await controller.submit('/msgto vader quick');
    expect(state.store.get('@vader')!.lines[0]).toMatchObject({ id: 7, delivered: true });
    expect(state.earlyReceipts.size).toBe(0);
  });

  it('follows presence, broadcasts and an idle logout', () => {
    const { client, state, calls } = setup();
    state.store.ensure('direct', 'obiwan');
    client.emit('presence', { user: 'obiwan', status: 'offline', ts: 1 });
    expect(calls.refreshes).toBe(1);
    expect(state.store.get('@obiwan')!.lines.at(-1)!.text).toBe('obiwan logged out.');
    client.emit('broadcast', { from: 'Hans', text: 'lunch?', ts: 3 });
    expect(state.store.get('server')!.lines.at(-1)).toMatchObject({
      from: 'Hans',
      text: '(broadcast) lunch?',
    });
    expect(calls.bells).toBe(1);
    client.emit('bye', { reason: 'You were logged out.', code: ErrorCode.IdleTimeout });
    expect(state.exitReason).toBe('You were logged out.');
  });

  it("keeps a group's member list in step with joins, invitations and leaves", () => {
    const { client, state } = setup();
    const member = (username: string, st: 'joined' | 'invited', online: boolean) => ({
      username,
      state: st,
      online,
    });
    state.members.set('jedi', [member('Yoda', 'joined', true), member('obiwan', 'invited', true)]);
    client.emit('group-member', { group: 'jedi', user: 'obiwan', state: 'joined', online: true });
    client.emit('group-member', { group: 'jedi', user: 'vader', state: 'invited', online: false });
    expect(state.members.get('jedi')).toEqual([
      member('Yoda', 'joined', true),
      member('obiwan', 'joined', true),
      member('vader', 'invited', false),
    ]);
    client.emit('group-member', { group: 'jedi', user: 'obiwan', state: 'left', online: true });
    expect(state.members.get('jedi')!.map((m) => m.username)).toEqual(['Yoda', 'vader']);
    // A group never shown has no list to change: it is asked for when its pane comes up.
    client.emit('group-member', { group: 'sith', user: 'vader', state: 'joined', online: true });
    expect(state.members.has('sith')).toBe(false);
  });

  it('loads the backlog of a chat opened with /query, and /history on request', async () => {
    const { client, state, controller } = setup();
    client.history = [
      { n: 1, from: 'vader', text: 'join me', ts: 1 },
      { n: 2, from: 'Yoda', text: 'never', ts: 2 },
    ];
    await controller.submit('/query vader');
    await new Promise((r) => setImmediate(r));
    expect(state.store.active.lines.map((l) => `${l.kind}:${l.text}`)).toEqual([
      'message:join me',
      'own:never',
    ]);
    await controller.submit('/history vader');
    expect(state.store.active.lines.at(-1)!.text).toBe(
      '0 earlier message(s) of @vader shown above its newer lines.',
    );
  });

  it('cancels the running transfer', async () => {
    const { client, calls, controller } = setup();
    const t = {
      transferId: 't9',
      direction: 'receive',
      peer: 'obiwan',
      filename: 'a.mp4',
      size: 10,
      bytes: 1,
      rate: 1,
      eta: 9,
      state: 'running',
    };
    client.emit('transfer-incoming', t);
    await controller.submit('/cancel');
    expect(calls.cancelled).toEqual(['t9']);
  });
});
