/**
 * Everything the main screen shows, in one plain object the views read and the controllers
 * change. Holding it in one place keeps the views free of state.
 */

import { ConversationStore } from '../client/conversations.js';
import type { LinkState } from '../client/reconnect.js';
import type { TransferInfo } from '../client/transfers.js';
import type { CompletionState } from '../presentation/completion.js';
import { InputHistory } from '../presentation/input-history.js';
import type { ActiveUser, GroupMember } from '../protocol/control.js';
import { type EditorState, EMPTY } from './line-editor.js';

export interface QueuedLine {
  convId: string;
  line: string;
}

export interface ChatState {
  me: string;
  server: string;
  store: ConversationStore;
  users: ActiveUser[];
  groups: Set<string>;
  /** Members of each group as last asked for; the side pane lists them in a group's pane. */
  members: Map<string, GroupMember[]>;
  link: LinkState;
  retryAt: number | null;
  /** Lines typed while offline, sent in order once signed in again. */
  outbox: QueuedLine[];
  editor: EditorState;
  history: InputHistory;
  completion: CompletionState | null;
  /** Lines of a paste waiting for the user's answer. */
  paste: string[] | null;
  /** Rows scrolled up from the bottom, per conversation id. */
  scroll: Map<string, number>;
  search: { convId: string; query: string } | null;
  transfers: TransferInfo[];
  /** transferId of the transfer Ctrl+X cancels, or null for the newest running one. */
  selectedTransfer: string | null;
  /** A one-off notice in the input row (e.g. "nothing to cancel"). */
  notice: string | null;
  /** Why the session ended, printed after the terminal is restored (an idle logout). */
  exitReason: string | null;
  /** Receipts that beat the reply to their /msgto (the line does not exist yet). */
  earlyReceipts: Set<number>;
}

export function createChatState(me: string, server: string): ChatState {
  return {
    me,
    server,
    store: new ConversationStore(),
    users: [],
    groups: new Set(),
    members: new Map(),
    link: { state: 'online' },
    retryAt: null,
    outbox: [],
    editor: EMPTY,
    history: new InputHistory(),
    completion: null,
    paste: null,
    scroll: new Map(),
    search: null,
    transfers: [],
    selectedTransfer: null,
    notice: null,
    earlyReceipts: new Set(),
    exitReason: null,
  };
}

/** The transfer Ctrl+X acts on: the selected one, else the newest still running. */
export function targetTransfer(state: ChatState): TransferInfo | undefined {
  const selected = state.transfers.find((t) => t.transferId === state.selectedTransfer);
  if (selected) return selected;
  return [...state.transfers].reverse().find((t) => t.state === 'running');
}
