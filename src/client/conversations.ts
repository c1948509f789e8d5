/**
 * The conversation model both faces can use: one conversation for the server and system
 * notices, one per direct peer, one per group; unread and mention counts; a read marker.
 * Pure state, no I/O: the TUI redraws after each call.
 */

export type ConversationKind = 'server' | 'direct' | 'group';

/** One line of a conversation. `own` lines are what this user sent. */
export interface ChatLine {
  ts: number;
  kind: 'message' | 'own' | 'info' | 'error';
  from?: string;
  text: string;
  /** The line names this user (or is a direct message to them). */
  highlight?: boolean;
  /** Own direct messages: the server's number, and what became of the message. */
  id?: number;
  delivered?: boolean;
  queued?: boolean;
}

export interface Conversation {
  /** `server`, `@peer` or `#group`. */
  readonly id: string;
  readonly kind: ConversationKind;
  readonly name: string;
  lines: ChatLine[];
  unread: number;
  mentions: number;
  /** Index of the first line added since the user last looked; null when none is unseen. */
  readMarker: number | null;
}

export const SERVER_ID = 'server';

export const conversationId = (kind: ConversationKind, name: string): string =>
  kind === 'server' ? SERVER_ID : `${kind === 'direct' ? '@' : '#'}${name}`;

/** True when `text` names `user` as a word (case-insensitive), as IRC clients highlight. */
export function mentions(text: string, user: string): boolean {
  if (user === '') return false;
  const escaped = user.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}_])${escaped}($|[^\\p{L}\\p{N}_])`, 'iu').test(text);
}

export class ConversationStore {
  private readonly order: Conversation[] = [];
  private activeId = SERVER_ID;

  /** `cap` bounds the lines kept per conversation (oldest dropped first). */
  constructor(private readonly cap = 2000) {
    this.ensure('server', 'server');
  }

  list(): readonly Conversation[] {
    return this.order;
  }

  get active(): Conversation {
    return this.get(this.activeId) ?? this.order[0]!;
  }

  get(id: string): Conversation | undefined {
    return this.order.find((c) => c.id === id);
  }

  /** The conversation for kind/name, created at the end of the list when new. */
  ensure(kind: ConversationKind, name: string): Conversation {
    const id = conversationId(kind, name);
    let conv = this.get(id);
    if (!conv) {
      conv = { id, kind, name, lines: [], unread: 0, mentions: 0, readMarker: null };
      this.order.push(conv);
    }
    return conv;
  }

  /**
   * Adds a line. Lines in a conversation other than the active one count as unread (and as
   * mentions when highlighted). Returns whether the user should be alerted (bell).
   */
  add(conv: Conversation, line: ChatLine): { alert: boolean } {
    conv.lines.push(line);
    if (conv.lines.length > this.cap) {
      const drop = conv.lines.length - this.cap;
      conv.lines.splice(0, drop);
      if (conv.readMarker !== null) conv.readMarker = Math.max(0, conv.readMarker - drop);
    }
    const counts = line.kind === 'message';
    if (conv.id !== this.activeId && counts) {
      if (conv.readMarker === null) conv.readMarker = conv.lines.length - 1;
      conv.unread++;
      if (line.highlight) conv.mentions++;
    }
    return { alert: counts && line.highlight === true };
  }

  /**
   * Puts earlier lines (history from the server) before what the conversation holds: only
   * those older than its first line, so nothing shows twice. Returns how many were added.
   */
  backfill(conv: Conversation, earlier: readonly ChatLine[]): number {
    const first = conv.lines[0]?.ts ?? Number.POSITIVE_INFINITY;
    const older = earlier.filter((l) => l.ts < first).slice(-this.cap);
    const room = Math.max(0, this.cap - conv.lines.length);
    const added = older.slice(older.length - Math.min(room, older.length));
    conv.lines.unshift(...added);
    if (conv.readMarker !== null) conv.readMarker += added.length;
    return added.length;
  }

  /** Makes a conversation the active one; its counts clear, its read marker stays in view. */
  focus(id: string): boolean {
    const conv = this.get(id);
    if (!conv) return false;
    if (id !== this.activeId) {
      // The marker of the conversation being left starts again at its end.
      const left = this.active;
      left.readMarker = null;
    }
    this.activeId = id;
    conv.unread = 0;
    conv.mentions = 0;
    return true;
  }

  /** Focus by 1-based position, as Alt+number does. */
  focusIndex(n: number): boolean {
    const conv = this.order[n - 1];
    return conv ? this.focus(conv.id) : false;
  }

  /** Next (+1) or previous (-1) conversation, wrapping around. */
  cycle(step: 1 | -1): void {
    const i = this.order.findIndex((c) => c.id === this.activeId);
    const next = this.order[(i + step + this.order.length) % this.order.length]!;
    this.focus(next.id);
  }

  /** Next conversation with unread lines, mentions first (Alt+A in WeeChat). */
  nextUnread(): boolean {
    const withMention = this.order.find((c) => c.mentions > 0);
    const target = withMention ?? this.order.find((c) => c.unread > 0);
    return target ? this.focus(target.id) : false;
  }

  /** Removes a direct or group conversation from the list (not the server one). */
  close(id: string): boolean {
    const i = this.order.findIndex((c) => c.id === id);
    if (i <= 0) return false;
    if (id === this.activeId) this.focus(this.order[i - 1]!.id);
    this.order.splice(i, 1);
    return true;
  }
}
