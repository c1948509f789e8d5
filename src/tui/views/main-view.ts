/**
 * The main screen's blessed boxes. Thin: every frame is drawn from the chat state through
 * the view-models; the boxes hold no state of their own.
 */
import blessed from 'blessed';
import type { ChatLine, Conversation } from '../../client/conversations.js';
import type { ChatState } from '../chat-state.js';
import { pasteQuestion } from '../paste.js';
import { inputRow } from '../view-models/input-row.js';
import { computeLayout, type Rect } from '../view-models/layout.js';
import { messageRows, searchLines, visibleRows } from '../view-models/message-rows.js';
import { conversationRows, memberRows, sortMembers, userRows } from '../view-models/side-panes.js';
import type { Row } from '../view-models/spans.js';
import { statusRow, titleText } from '../view-models/status-line.js';
import { fitWidth, truncate } from '../view-models/text-width.js';
import { rowToTags } from '../view-models/theme.js';
import { shownTransfers, transferRow } from '../view-models/transfer-rows.js';

/** What the user did with the mouse, for the app to act on. */
export interface MouseHandlers {
  pickConversation(index: number): void;
  pickUser(name: string): void;
  scroll(rows: number): void;
}

const box = (screen: blessed.Widgets.Screen, extra: blessed.Widgets.BoxOptions = {}) =>
  blessed.box({ parent: screen, tags: true, wrap: false, ...extra });

export class MainView {
  private readonly title: blessed.Widgets.BoxElement;
  private readonly convs: blessed.Widgets.BoxElement;
  private readonly users: blessed.Widgets.BoxElement;
  private readonly messages: blessed.Widgets.BoxElement;
  private readonly transfers: blessed.Widgets.BoxElement;
  private readonly status: blessed.Widgets.BoxElement;
  private readonly input: blessed.Widgets.BoxElement;
  private readonly seps: blessed.Widgets.BoxElement[] = [];
  private cursor = { row: 0, col: 0 };
  /** Rows the messages pane showed last, so PgUp moves by a page. */
  pageRows = 10;
  private shownUsers: string[] = [];
  private windowTitle = '';
  /** Rows of each conversation at the last frame, to keep a scrolled view still. */
  private readonly totals = new Map<string, number>();

  constructor(
    private readonly screen: blessed.Widgets.Screen,
    private readonly colour: boolean,
    mouse: MouseHandlers,
  ) {
    const bar = colour ? { bg: 'blue', fg: 'white' } : { inverse: true };
    this.title = box(screen, { style: bar });
    this.convs = box(screen, { clickable: true });
    this.users = box(screen, { clickable: true });
    this.messages = box(screen, { clickable: true });
    this.transfers = box(screen);
    this.status = box(screen, { style: bar });
    this.input = box(screen);
    const sepStyle = colour ? { fg: 'gray' } : {};
    for (let i = 0; i < 2; i++) this.seps.push(box(screen, { ch: '│', style: sepStyle }));
    // On press, not release: blessed reads one mouse report per input chunk, and a quick
    // click's press and release can arrive together.
    this.convs.on('mousedown', (data: { y: number }) => {
      mouse.pickConversation(data.y - (this.convs.atop as number) - 1);
    });
    this.users.on('mousedown', (data: { y: number }) => {
      const name = this.shownUsers[data.y - (this.users.atop as number) - 1];
      if (name) mouse.pickUser(name);
    });
    this.messages.on('wheelup', () => mouse.scroll(3));
    this.messages.on('wheeldown', () => mouse.scroll(-3));
    // The cursor belongs in the input row after every frame, wherever blessed left it.
    screen.on('render', () => {
      screen.program.cup(this.cursor.row, this.cursor.col);
      screen.program.showCursor();
    });
  }

  draw(state: ChatState, now: number): void {
    const cols = this.screen.width as number;
    const rows = this.screen.height as number;
    const shown = shownTransfers(state.transfers, 3);
    const layout = computeLayout(cols, rows, shown.length);
    const tags = (r: Row) => rowToTags(r, this.colour);
    const active = state.store.active;

    place(this.title, layout.title);
    this.title.setContent(
      tags([{ text: fitWidth(titleText(active, state.server, state.users), cols) }]),
    );

    place(this.convs, layout.convs);
    const convRows = conversationRows(state.store.list(), active.id, layout.convs.width);
    this.convs.setContent(
      [tags([{ text: 'Conversations', style: 'bold' }]), ...convRows.map(tags)].join('\n'),
    );

    place(this.users, layout.users);
    this.users.setContent(this.sidePane(state, active, layout.users, now).join('\n'));

    layout.separators.forEach((s, i) => {
      const sep = this.seps[i]!;
      place(sep, { top: s.top, left: s.left, width: 1, height: s.height });
      sep.show();
    });
    for (let i = layout.separators.length; i < this.seps.length; i++) this.seps[i]!.hide();

    place(this.messages, layout.messages);
    const view = this.viewedConversation(state, active, now);
    const all = messageRows(view, { width: layout.messages.width });
    // While scrolled up, new rows arriving below must not move what the user is reading.
    const before = this.totals.get(active.id) ?? all.length;
    this.totals.set(active.id, all.length);
    const held = state.scroll.get(active.id) ?? 0;
    const offset = held > 0 ? held + Math.max(0, all.length - before) : 0;
    const visible = visibleRows(all, layout.messages.height, offset);
    state.scroll.set(active.id, visible.offset);
    this.pageRows = Math.max(1, layout.messages.height - 2);
    // Bottom-aligned, as chat panes are: few lines sit just above the input.
    const pad = Array(Math.max(0, layout.messages.height - visible.rows.length)).fill('');
    this.messages.setContent([...pad, ...visible.rows.map(tags)].join('\n'));

    if (layout.transfers) {
      place(this.transfers, layout.transfers);
      const w = layout.transfers.width;
      const head = tags([
        {
          text: truncate(`── Transfers (Ctrl+X cancels >, F6/F7 select) ${'─'.repeat(w)}`, w),
          style: 'dim',
        },
      ]);
      const selected =
        state.selectedTransfer ?? shown.find((t) => t.state === 'running')?.transferId;
      const lines = shown.map((t) => tags(transferRow(t, w, t.transferId === selected)));
      this.transfers.setContent([head, ...lines].join('\n'));
      this.transfers.show();
    } else this.transfers.hide();

    place(this.status, layout.status);
    const status = statusRow({
      now,
      server: state.server,
      user: state.me,
      link: state.link,
      convs: state.store.list(),
      activeId: active.id,
      scrolled: visible.offset,
      queued: state.outbox.length,
      retryAt: state.retryAt,
    });
    this.status.setContent(tags(status));

    place(this.input, layout.input);
    if (state.paste) {
      this.input.setContent(
        tags([{ text: fitWidth(pasteQuestion(state.paste.length), cols), style: 'warn' }]),
      );
      this.cursor = { row: layout.input.top, col: cols - 1 };
    } else {
      const prompt = `[${active.kind === 'server' ? 'server' : active.kind === 'direct' ? `@${active.name}` : `#${active.name}`}] `;
      const row = inputRow(prompt, state.editor, cols);
      const notice = state.notice ? ` (${state.notice})` : '';
      this.input.setContent(
        tags([{ text: prompt, style: 'bold' }, { text: row.text }, { text: notice, style: 'dim' }]),
      );
      this.cursor = { row: layout.input.top, col: row.cursorCol };
    }
    // The terminal's own title shows activity too, for a window in the background.
    const busy = state.store.list().filter((c) => c.unread > 0).length;
    const windowTitle = `Tessenger ${state.me}${busy > 0 ? ` (${busy} unread)` : ''}`;
    if (windowTitle !== this.windowTitle) {
      this.windowTitle = windowTitle;
      this.screen.title = windowTitle;
    }
    this.screen.render();
  }

  /** The online users, or in a group's pane its members (WeeChat's nick list). */
  private sidePane(state: ChatState, active: Conversation, rect: Rect, now: number): string[] {
    const tags = (r: Row) => rowToTags(r, this.colour);
    // One cell kept free next to the separator, on whichever side it is.
    const gap = rect.left > 0 ? ' ' : '';
    const members = active.kind === 'group' ? state.members.get(active.name) : undefined;
    if (members) {
      this.shownUsers = sortMembers(members).map((m) => m.username);
      const header = tags([{ text: `#${active.name} (${members.length})`, style: 'bold' }]);
      const rows = memberRows(members, rect.width - 1).map((r) => gap + tags(r));
      return [gap + header, ...rows];
    }
    const sorted = [...state.users].sort((a, b) => a.username.localeCompare(b.username));
    this.shownUsers = sorted.map((u) => u.username);
    const header = tags([{ text: `Online (${state.users.length})`, style: 'bold' }]);
    const rows = userRows(sorted, rect.width - 1, now).map((r) => gap + tags(r));
    return [gap + header, ...rows];
  }

  /** The active conversation, or only its matching lines while a search is on. */
  private viewedConversation(state: ChatState, active: Conversation, now: number): Conversation {
    const search = state.search;
    if (!search || search.convId !== active.id) return active;
    const hits = searchLines(active, search.query);
    const lines: ChatLine[] = hits.map((i) => ({ ...active.lines[i]!, highlight: true }));
    lines.push({
      ts: now,
      kind: 'info',
      text: `search "${search.query}": ${hits.length} line(s) — Esc or /search ends it`,
    });
    return { ...active, lines, readMarker: null };
  }
}

function place(el: blessed.Widgets.BoxElement, r: Rect): void {
  el.top = r.top;
  el.left = r.left;
  el.width = r.width;
  el.height = r.height;
}
