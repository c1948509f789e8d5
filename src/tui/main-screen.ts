/**
 * The main phase: keys for the input line, navigation and transfers; paste detection; the
 * timers that refresh the online users and the clock. Behaviour lives in ChatController
 * and the view-models; this file routes input to them.
 */
import type blessed from 'blessed';
import type { ChatClient } from '../client/chat-client.js';
import type { Reconnector } from '../client/reconnect.js';
import { tabComplete } from '../presentation/completion.js';
import { type Clock, systemClock } from '../util/clock.js';
import { TimerGroup } from '../util/timer-group.js';
import { ChatController } from './chat-controller.js';
import { type ChatState, targetTransfer } from './chat-state.js';
import { listFiles } from './file-candidates.js';
import {
  cursorOffset,
  EDIT_KEYS,
  EMPTY,
  edit,
  fromOffset,
  insert,
  setText,
} from './line-editor.js';
import { pastedLines } from './paste.js';
import { ALL_COMMANDS } from './tui-commands.js';
import { isPrintable, SurrogateJoiner } from './views/keys.js';
import type { MainView } from './views/main-view.js';

/**
 * How often the online pane asks who is online while it is in view (besides presence pushes
 * and focus changes). The ask carries the tag of the list it has, so an unchanged list costs
 * a reply of a few bytes; see docs/TUI.md "Who is online".
 */
export const ONLINE_POLL_MS = 3_000;

export class MainScreen {
  readonly controller: ChatController;
  private readonly joiner = new SurrogateJoiner();
  /** Set while blessed replays a pasted chunk key by key; those keys are ignored. */
  private swallowing = false;
  /** The status-bar clock, the online refresh and pending draws; stop() clears them. */
  private readonly timers: TimerGroup;
  private drawPending = false;
  private usersAsked = false;
  private shownPane = '';
  private usersAgain = false;
  /** The server's tag of the list in `state.users`; sent back so an unchanged list is not resent. */
  private usersTag: number | undefined;

  constructor(
    private readonly screen: blessed.Widgets.Screen,
    private readonly view: MainView,
    private readonly client: ChatClient,
    private readonly state: ChatState,
    private readonly reconnector: Reconnector,
    quit: (code: number) => void,
    clock: Clock = systemClock,
  ) {
    this.timers = new TimerGroup(clock);
    this.controller = new ChatController(
      client,
      state,
      {
        redraw: () => this.redraw(),
        bell: () => screen.program.bell(),
        quit,
        retryNow: () => reconnector.retryNow(),
        cancelTransfer: (id) => client.transfers.cancel(id),
        refreshUsers: () => this.refreshUsers(),
      },
      () => clock.now(),
    );
  }

  start(): void {
    this.controller.start();
    this.screen.on('keypress', this.onKey);
    this.screen.on('resize', this.onResize);
    this.screen.program.input.prependListener('data', this.onData);
    this.reconnector.on('state', (link) => {
      if (link.state === 'waiting' && this.state.link.state === 'online') {
        this.controller.notice(`${link.reason}. Reconnecting...`);
      }
      if (link.state === 'gave-up') this.controller.notice(`Cannot sign in again: ${link.reason}`);
      this.state.link = link;
      this.state.retryAt = link.state === 'waiting' ? this.timers.now() + link.delayMs : null;
      if (link.state === 'online') {
        this.controller.notice(`Signed in again as ${this.state.me}.`);
        this.usersTag = undefined;
        this.refreshUsers();
        void this.controller.flushOutbox();
      }
      this.redraw();
    });
    // The clock and the reconnect countdown in the status bar.
    this.timers.setInterval(() => this.redraw(), 1000);
    // The online list: the server pushes presence changes only to a user's contacts (group
    // peers, direct-message partners), so the pane polls for the rest while it is in view.
    // Asked as `auto`, it does not count as activity for the server's idle time-out.
    this.timers.setInterval(() => {
      if (this.onlinePaneShown()) this.askUsers();
    }, ONLINE_POLL_MS);
    this.refreshUsers();
    this.redraw();
  }

  stop(): void {
    this.timers.clearAll();
    this.screen.off('keypress', this.onKey);
    this.screen.off('resize', this.onResize);
    this.screen.program.input.off('data', this.onData);
  }

  /** Draws at most once per turn of the event loop, however many events came in. */
  redraw(): void {
    const active = this.state.store.active;
    if (active.id !== this.shownPane) {
      // A group's pane lists its members beside it: ask for them when it comes into view.
      this.shownPane = active.id;
      if (active.kind === 'group') this.controller.loadMembers(active.name);
      // The online list too, so the pane in focus shows who is online now.
      this.askUsers();
    }
    if (this.drawPending) return;
    this.drawPending = true;
    this.timers.setImmediate(() => {
      this.drawPending = false;
      this.view.draw(this.state, this.timers.now());
    });
  }

  /** Asks for the online users (and the members of the group in focus). */
  private refreshUsers(): void {
    if (this.state.link.state !== 'online' || !this.client.connected) return;
    const active = this.state.store.active;
    if (active.kind === 'group') this.controller.loadMembers(active.name);
    this.askUsers();
  }

  /** The side pane lists who is online (a group's pane lists its members instead). */
  private onlinePaneShown(): boolean {
    const active = this.state.store.active;
    return active.kind !== 'group' || !this.state.members.has(active.name);
  }

  /** Asks for the online users; calls while one ask is out are folded into it. */
  private askUsers(): void {
    if (this.state.link.state !== 'online' || !this.client.connected) return;
    if (this.usersAsked) {
      // A change may have come after the ask went out: ask once more when it returns.
      this.usersAgain = true;
      return;
    }
    this.usersAsked = true;
    const tag = this.usersTag;
    this.client
      .run({ name: 'activeuser', auto: true, ...(tag !== undefined ? { tag } : {}) })
      .then((r) => {
        if (r.kind !== 'active-users' || r.unchanged === true) return;
        this.state.users = r.users;
        this.usersTag = r.tag;
        this.redraw();
      })
      .catch(() => {})
      .finally(() => {
        this.usersAsked = false;
        if (this.usersAgain) {
          this.usersAgain = false;
          this.askUsers();
        }
      });
  }

  private readonly onResize = () => {
    this.redraw();
  };

  private readonly onData = (chunk: Buffer | string) => {
    const lines = pastedLines(chunk.toString());
    if (!lines) return;
    this.swallowing = true;
    setImmediate(() => {
      this.swallowing = false;
    });
    this.state.paste = lines;
    this.redraw();
  };

  private readonly onKey = (ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg) => {
    if (this.swallowing) return;
    const s = this.state;
    const name = key.full;
    s.notice = null;
    if (name === 'C-c') return void this.controller.logout();
    // blessed reports Enter twice ('return', then 'enter'); act on one.
    if (name === 'return') return;
    if (s.paste) return this.onPasteKey(name);
    if (name !== 'tab') s.completion = null;
    if (this.navigate(name)) return this.redraw();
    switch (name) {
      case 'enter': {
        const line = s.editor.text;
        s.history.push(line);
        s.editor = EMPTY;
        s.scroll.set(s.store.active.id, 0);
        void this.controller.submit(line);
        return this.redraw();
      }
      case 'tab':
        return this.complete();
      case 'up':
      case 'down': {
        const next = name === 'up' ? s.history.up(s.editor.text) : s.history.down();
        if (next !== null) s.editor = setText(next);
        return this.redraw();
      }
    }
    const editKey = EDIT_KEYS[name];
    if (editKey) s.editor = edit(s.editor, editKey);
    else {
      const typed = this.joiner.feed(ch);
      if (typed && isPrintable(typed, key)) s.editor = insert(s.editor, typed);
      else return;
    }
    this.redraw();
  };

  /** Keys that move between panes, scroll, or act on transfers; true when handled. */
  private navigate(name: string): boolean {
    const s = this.state;
    const store = s.store;
    const digit = /^M-(\d)$/.exec(name);
    if (digit) return store.focusIndex(digit[1] === '0' ? 10 : Number(digit[1])) || true;
    const scrollBy = (n: number) => {
      const id = store.active.id;
      s.scroll.set(id, Math.max(0, (s.scroll.get(id) ?? 0) + n));
    };
    switch (name) {
      case 'C-n':
      case 'M-right':
        store.cycle(1);
        return true;
      case 'C-p':
      case 'M-left':
        store.cycle(-1);
        return true;
      case 'M-a':
        if (!store.nextUnread()) s.notice = 'no activity';
        return true;
      case 'pageup':
        scrollBy(this.view.pageRows);
        return true;
      case 'pagedown':
        scrollBy(-this.view.pageRows);
        return true;
      case 'escape':
        s.search = null;
        return true;
      case 'C-l':
        this.screen.realloc();
        return true;
      case 'C-x': {
        const t = targetTransfer(s);
        if (t && t.state === 'running') this.client.transfers.cancel(t.transferId);
        else s.notice = 'no running transfer to cancel';
        return true;
      }
      case 'f6':
      case 'f7': {
        const list = s.transfers;
        if (list.length === 0) return true;
        const i = list.findIndex((t) => t.transferId === s.selectedTransfer);
        const step = name === 'f7' ? 1 : -1;
        const next = i < 0 ? list.length - 1 : (i + step + list.length) % list.length;
        s.selectedTransfer = list[next]!.transferId;
        return true;
      }
    }
    return false;
  }

  private onPasteKey(name: string): void {
    const s = this.state;
    const lines = s.paste!;
    if (name === 'C-y') {
      s.paste = null;
      const convId = s.store.active.id;
      void (async () => {
        for (const line of lines) await this.controller.submit(line, convId);
      })();
    } else if (name === 'enter') {
      s.paste = null;
      s.editor = insert(s.editor, lines.join(' '));
    } else if (name === 'C-n' || name === 'escape') {
      s.paste = null;
    }
    this.redraw();
  }

  private complete(): void {
    const s = this.state;
    const users = new Set<string>(s.users.map((u) => u.username));
    for (const c of s.store.list()) if (c.kind === 'direct') users.add(c.name);
    const result = tabComplete(s.editor.text, cursorOffset(s.editor), s.completion, {
      commands: ALL_COMMANDS,
      users: [...users],
      groups: [...s.groups],
      files: listFiles,
    });
    s.completion = result.state;
    s.editor = fromOffset(result.line, result.cursor);
    this.redraw();
  }
}
