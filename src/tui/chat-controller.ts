/**
 * Connects the client core to the chat state: incoming events land in their conversation,
 * typed lines become commands, results and errors are shown where the user looks.
 */
import type { ChatClient, CommandResult } from '../client/chat-client.js';
import type { Command } from '../client/commands.js';
import { ConnectionError } from '../client/connection.js';
import {
  type ChatLine,
  type Conversation,
  conversationId,
  mentions,
  SERVER_ID,
} from '../client/conversations.js';
import { formatBytes, formatInvite, formatResult, formatTransferFailed } from '../client/format.js';
import { formatPresence } from '../client/more-format.js';
import type { TransferInfo } from '../client/transfers.js';
import { ErrorCode } from '../protocol/errors.js';
import type { ChatState } from './chat-state.js';
import { helpLines, interpretInput, type TuiCommandName } from './tui-commands.js';

/** What the controller asks of the screen. */
export interface ScreenHooks {
  redraw(): void;
  bell(): void;
  quit(code: number): void;
  retryNow(): void;
  cancelTransfer(id: string): boolean;
  /** Asks the server for the online users again. */
  refreshUsers(): void;
  /** Do not reconnect after the coming drop; show `reason` instead. */
  holdReconnect(reason: string): void;
}

export class ChatController {
  constructor(
    private readonly client: ChatClient,
    private readonly state: ChatState,
    private readonly hooks: ScreenHooks,
    private readonly now: () => number = Date.now,
  ) {}

  /** Subscribes to the client's events. */
  start(): void {
    const { client, state } = this;
    client.on('message', (m) => {
      if (!state.users.some((u) => u.username === m.from)) this.hooks.refreshUsers();
      this.addTo(state.store.ensure('direct', m.from), {
        ts: m.ts,
        kind: 'message',
        from: m.from,
        text: m.text,
        highlight: true,
      });
    });
    client.on('group-message', (m) => {
      state.groups.add(m.group);
      this.addTo(state.store.ensure('group', m.group), {
        ts: m.ts,
        kind: 'message',
        from: m.from,
        text: m.text,
        highlight: mentions(m.text, state.me),
      });
    });
    client.on('group-invite', (i) => {
      state.groups.add(i.group);
      this.hooks.refreshUsers();
      const line = { ts: this.now(), kind: 'message' as const, from: i.from, highlight: true };
      this.addTo(state.store.ensure('group', i.group), { ...line, text: formatInvite(i) });
    });
    client.on('bye', ({ reason, code }) => {
      this.notice(`Disconnected by the server: ${reason}`);
      // Logged out for idling: coming straight back would defeat the server's rule.
      if (code === ErrorCode.IdleTimeout)
        this.hooks.holdReconnect(`${reason} /reconnect signs in again.`);
    });
    client.on('presence', (p) => {
      this.hooks.refreshUsers();
      const dm = state.store.get(conversationId('direct', p.user));
      if (dm) this.addTo(dm, this.infoLine(formatPresence(p)));
    });
    client.on('receipt', (r) => {
      const own = state.store
        .get(conversationId('direct', r.to))
        ?.lines.find((l) => l.kind === 'own' && l.id === r.id);
      if (own) own.delivered = true;
      this.hooks.redraw();
    });
    client.on('broadcast', (m) => {
      const line = { ts: m.ts, kind: 'message' as const, from: m.from, highlight: true };
      this.addTo(state.store.get(SERVER_ID)!, { ...line, text: `(broadcast) ${m.text}` });
    });
    const onTransfer = (t: TransferInfo) => {
      const i = state.transfers.findIndex((x) => x.transferId === t.transferId);
      if (i < 0) state.transfers.push({ ...t });
      else state.transfers[i] = { ...t };
      this.hooks.redraw();
    };
    client.on('transfer-incoming', (t) => {
      onTransfer(t);
      this.info(`Receiving ${t.filename} (${formatBytes(t.size)}) from ${t.peer}...`, t.peer);
    });
    client.on('transfer-progress', onTransfer);
    client.on('transfer-complete', (t) => {
      onTransfer(t);
      const text =
        t.direction === 'send'
          ? `${t.filename} has been uploaded`
          : `Received ${t.filename} from ${t.peer}${t.path ? ` (saved as ${t.path})` : ''}`;
      this.info(text, t.peer);
    });
    client.on('transfer-failed', (t) => {
      onTransfer(t);
      this.addTo(this.state.store.ensure('direct', t.peer), {
        ts: this.now(),
        kind: 'error',
        text: formatTransferFailed(t),
      });
    });
  }

  /** Handles one submitted line. */
  async submit(line: string, convId = this.state.store.active.id): Promise<void> {
    const conv = this.state.store.get(convId) ?? this.state.store.active;
    const action = interpretInput(line, conv);
    switch (action.kind) {
      case 'none':
        return;
      case 'error':
        return this.error(action.text);
      case 'tui':
        return this.runTuiCommand(action.name, action.arg);
      case 'core':
        if (action.command.name === 'logout') return this.logout();
        if (this.state.link.state !== 'online' && isQueueable(action.command)) {
          this.queue(conv, line);
          return;
        }
        return this.runCore(action.command, conv, line);
    }
  }

  /** Sends what was typed while offline, oldest first. */
  async flushOutbox(): Promise<void> {
    const queued = this.state.outbox.splice(0);
    for (const q of queued) await this.submit(q.line, q.convId);
    this.hooks.redraw();
  }

  async logout(): Promise<void> {
    // logout() swallows a dead link itself: leaving is right either way.
    await this.client.logout().catch(() => undefined);
    this.hooks.quit(0);
  }

  private queue(conv: Conversation, line: string): void {
    this.state.outbox.push({ convId: conv.id, line });
    this.addTo(conv, {
      ts: this.now(),
      kind: 'info',
      text: `not connected: "${line}" will be sent once signed in again`,
    });
  }

  private async runCore(command: Command, conv: Conversation, line: string): Promise<void> {
    let result: CommandResult;
    try {
      result = await this.client.run(command);
    } catch (err) {
      // A link that broke under the request: keep the line for after the reconnect.
      if (err instanceof ConnectionError && isQueueable(command)) return this.queue(conv, line);
      return this.error((err as Error).message);
    }
    this.show(command, result);
  }

  private show(command: Command, result: CommandResult): void {
    const { store, me } = this.state;
    switch (result.kind) {
      case 'sent': {
        const text = command.name === 'msgto' ? command.text : '';
        const conv = store.ensure('direct', result.to);
        const own: ChatLine = { ts: result.ts, kind: 'own', from: me, text };
        if (result.id !== undefined) own.id = result.id;
        if (result.queued) own.queued = true;
        this.addTo(conv, own);
        // Queued for an offline user, or away: the lines after the first say so.
        const [first, ...rest] = formatResult(result);
        if (result.queued && first) this.addTo(conv, this.infoLine(first));
        for (const l of rest) this.addTo(conv, this.infoLine(l));
        // Sent from another pane: say so where the user is looking.
        if (store.active !== conv) {
          const n = store.list().indexOf(conv) + 1;
          this.info(`${formatResult(result)[0]} (to ${result.to}; Alt+${n % 10} opens the chat)`);
        }
        return;
      }
      case 'group-sent': {
        const text = command.name === 'groupmsg' ? command.text : '';
        const group = store.ensure('group', result.group);
        this.addTo(group, { ts: result.ts, kind: 'own', from: me, text });
        return;
      }
      case 'active-users':
        this.state.users = result.users;
        for (const l of formatResult(result)) this.info(l);
        return;
      case 'group-created':
      case 'group-joined': {
        this.state.groups.add(result.group);
        const conv = store.ensure('group', result.group);
        for (const l of formatResult(result)) this.addTo(conv, this.infoLine(l));
        store.focus(conv.id);
        this.hooks.redraw();
        return;
      }
      case 'transfer-started':
        for (const l of formatResult(result)) this.info(l, result.to);
        return;
      case 'logged-out':
        this.hooks.quit(0);
        return;
      default:
        // Results of commands added later show as plain mode prints them.
        for (const l of formatResult(result)) this.info(l);
    }
  }

  private runTuiCommand(name: TuiCommandName, arg: string) {
    const { store } = this.state;
    switch (name) {
      case 'help':
        for (const l of helpLines(arg)) this.info(l, undefined, true);
        return;
      case 'query': {
        if (!/^\S+$/.test(arg)) return this.error('Usage: /query USERNAME');
        if (arg === this.state.me) return this.error('You cannot chat with yourself.');
        store.focus(store.ensure('direct', arg).id);
        return this.hooks.redraw();
      }
      case 'close':
        if (!store.close(store.active.id)) return this.error('The server pane cannot be closed.');
        return this.hooks.redraw();
      case 'search':
        this.state.search = arg === '' ? null : { convId: store.active.id, query: arg };
        this.state.scroll.set(store.active.id, 0);
        return this.hooks.redraw();
      case 'clear':
        store.active.lines = [];
        store.active.readMarker = null;
        return this.hooks.redraw();
      case 'cancel':
        return this.cancel(arg);
      case 'reconnect':
        if (this.state.link.state === 'online') return this.error('Already connected.');
        this.hooks.retryNow();
        return;
      case 'quit':
        void this.logout();
        return;
    }
  }

  private cancel(arg: string) {
    const shownIndex = Number(arg);
    const running = this.state.transfers.filter((t) => t.state === 'running');
    const target =
      arg === ''
        ? (this.state.transfers.find((t) => t.transferId === this.state.selectedTransfer) ??
          running[running.length - 1])
        : running[shownIndex - 1];
    if (target?.state !== 'running') return this.error('No running transfer to cancel.');
    this.hooks.cancelTransfer(target.transferId);
  }

  /** An info line in the server pane (connection news). */
  notice(text: string): void {
    this.addTo(this.state.store.get(SERVER_ID) ?? this.state.store.active, this.infoLine(text));
  }

  private infoLine(text: string): ChatLine {
    return { ts: this.now(), kind: 'info', text };
  }

  /** An info line in a peer's pane when given, else in the conversation in focus. */
  private info(text: string, peer?: string, here = false): void {
    const { store } = this.state;
    const conv = peer && !here ? store.ensure('direct', peer) : store.active;
    this.addTo(conv, this.infoLine(text));
  }

  private error(text: string): void {
    this.addTo(this.state.store.active, { ts: this.now(), kind: 'error', text });
  }

  private addTo(conv: Conversation, line: ChatLine): void {
    const { alert } = this.state.store.add(conv, line);
    if (alert) this.hooks.bell();
    this.hooks.redraw();
  }
}

const isQueueable = (c: Command): boolean => c.name === 'msgto' || c.name === 'groupmsg';
