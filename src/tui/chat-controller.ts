/**
 * Connects the client core to the chat state: incoming events land in their conversation,
 * typed lines become commands, results and errors are shown where the user looks.
 */
import type { ChatClient } from '../client/chat-client.js';
import type { Command, CommandResult } from '../client/commands/index.js';
import { ConnectionError } from '../client/connection.js';
import {
  type ChatLine,
  type Conversation,
  conversationId,
  SERVER_ID,
} from '../client/conversations.js';
import { formatResult } from '../presentation/command-text.js';
import { type PaneWriter, type ScreenHooks, subscribeChatEvents } from './chat-events.js';
import type { ChatState } from './chat-state.js';
import { helpLines, interpretInput, type TuiCommandName } from './tui-commands.js';

export type { ScreenHooks } from './chat-events.js';

/** Typed lines in, commands out; also the writer incoming events use. */
export class ChatController implements PaneWriter {
  constructor(
    private readonly client: ChatClient,
    private readonly state: ChatState,
    private readonly hooks: ScreenHooks,
    /** The TUI's clock (tests pass a fixed one): stamps of notices and errors. */
    readonly now: () => number = Date.now,
  ) {}

  /** Subscribes to the client's events. */
  start(): void {
    subscribeChatEvents(this.client, this.state, this, this.hooks);
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

  /** `quiet`: a backlog fetched on the user's behalf, not a command they typed. */
  private show(command: Command, result: CommandResult, quiet = false): void {
    const { store, me } = this.state;
    switch (result.kind) {
      case 'sent': {
        const text = command.name === 'msgto' ? command.text : '';
        const conv = store.ensure('direct', result.to);
        const own: ChatLine = { ts: result.ts, kind: 'own', from: me, text };
        if (result.id !== undefined) {
          own.id = result.id;
          if (this.state.earlyReceipts.delete(result.id)) own.delivered = true;
        }
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
        if (result.kind === 'group-joined') this.loadBacklog(result.group);
        this.hooks.redraw();
        return;
      }
      case 'history': {
        const kind = result.conversationKind === 'group' ? 'group' : 'direct';
        const conv = store.ensure(kind, result.conversation);
        const lines = result.messages.map(
          (m): ChatLine => ({
            ts: m.ts,
            kind: m.from === me ? 'own' : 'message',
            from: m.from,
            text: m.text,
          }),
        );
        const added = store.backfill(conv, lines);
        if (!quiet) {
          const where = kind === 'group' ? `#${result.conversation}` : `@${result.conversation}`;
          this.info(`${added} earlier message(s) of ${where} shown above its newer lines.`);
          store.focus(conv.id);
        }
        this.hooks.redraw();
        return;
      }
      case 'group-members':
        this.state.members.set(result.group, result.members);
        if (!quiet) for (const l of formatResult(result)) this.info(l);
        this.hooks.redraw();
        return;
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
        const fresh = store.get(conversationId('direct', arg)) === undefined;
        store.focus(store.ensure('direct', arg).id);
        if (fresh) this.loadBacklog(arg);
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

  /** Earlier messages of a conversation just opened, as WeeChat shows its backlog. */
  private loadBacklog(conversation: string): void {
    this.quietly({ name: 'history', conversation, limit: BACKLOG_LINES });
  }

  /** Asks who is in a group, for the side pane of its conversation. */
  loadMembers(group: string): void {
    this.quietly({ name: 'members', group });
  }

  /** Runs a command on the user's behalf: its result fills the state, its failure is moot. */
  private quietly(command: Command): void {
    if (this.state.link.state !== 'online') return;
    this.client.run(command).then(
      (result) => this.show(command, result, true),
      // A server without the command, or nothing to show: the panes stay as they are.
      () => {},
    );
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

  infoLine(text: string): ChatLine {
    return { ts: this.now(), kind: 'info', text };
  }

  /** An info line in a peer's pane when given, else in the conversation in focus. */
  info(text: string, peer?: string, here = false): void {
    const { store } = this.state;
    const conv = peer && !here ? store.ensure('direct', peer) : store.active;
    this.addTo(conv, this.infoLine(text));
  }

  error(text: string): void {
    this.addTo(this.state.store.active, { ts: this.now(), kind: 'error', text });
  }

  addTo(conv: Conversation, line: ChatLine): void {
    const { alert } = this.state.store.add(conv, line);
    if (alert) this.hooks.bell();
    this.hooks.redraw();
  }
}

/** Messages fetched when a conversation is opened. */
const BACKLOG_LINES = 50;

const isQueueable = (c: Command): boolean => c.name === 'msgto' || c.name === 'groupmsg';
