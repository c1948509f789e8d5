/**
 * Where each event of the client core lands: direct messages in the peer's pane, group
 * messages in the group's, presence and receipts next to the conversation they concern,
 * transfers in the panel and in the peer's pane.
 */
import type { ChatClient } from '../client/chat-client.js';
import {
  type ChatLine,
  type Conversation,
  conversationId,
  mentions,
  SERVER_ID,
} from '../client/conversations.js';
import type { TransferInfo } from '../client/transfers.js';
import { formatInvite, formatPresence } from '../presentation/event-text.js';
import {
  formatPlayerFailed,
  formatPlaying,
  formatResuming,
  formatRoute,
  formatTransferFailed,
} from '../presentation/transfer-text.js';
import { ErrorCode } from '../protocol/errors.js';
import { formatBytes } from '../util/bytes.js';
import type { ChatState } from './chat-state.js';

/** What the controller asks of the screen. */
export interface ScreenHooks {
  redraw(): void;
  bell(): void;
  quit(code: number): void;
  retryNow(): void;
  cancelTransfer(id: string): boolean;
  /** Asks the server for the online users again. */
  refreshUsers(): void;
}

/** How events write into the panes (the controller is one). */
export interface PaneWriter {
  now(): number;
  addTo(conv: Conversation, line: ChatLine): void;
  infoLine(text: string): ChatLine;
  /** An info line in a peer's pane when given, else in the conversation in focus. */
  info(text: string, peer?: string): void;
  /** An info line in the server pane. */
  notice(text: string): void;
}

export function subscribeChatEvents(
  client: ChatClient,
  state: ChatState,
  out: PaneWriter,
  hooks: ScreenHooks,
): void {
  client.on('message', (m) => {
    if (!state.users.some((u) => u.username === m.from)) hooks.refreshUsers();
    out.addTo(state.store.ensure('direct', m.from), {
      ts: m.ts,
      kind: 'message',
      from: m.from,
      text: m.text,
      highlight: true,
    });
  });
  client.on('group-message', (m) => {
    state.groups.add(m.group);
    out.addTo(state.store.ensure('group', m.group), {
      ts: m.ts,
      kind: 'message',
      from: m.from,
      text: m.text,
      highlight: mentions(m.text, state.me),
    });
  });
  client.on('group-invite', (i) => {
    state.groups.add(i.group);
    hooks.refreshUsers();
    const line = { ts: out.now(), kind: 'message' as const, from: i.from, highlight: true };
    out.addTo(state.store.ensure('group', i.group), { ...line, text: formatInvite(i) });
  });
  client.on('group-member', (m) => {
    // A group whose members were never asked for is asked when its pane is shown.
    const members = state.members.get(m.group);
    if (!members) return;
    const rest = members.filter((x) => x.username !== m.user);
    if (m.state !== 'left') rest.push({ username: m.user, state: m.state, online: m.online });
    state.members.set(m.group, rest);
    hooks.redraw();
  });
  client.on('bye', ({ reason, code }) => {
    out.notice(`Disconnected by the server: ${reason}`);
    // Logged out for idling: coming straight back would defeat the server's rule.
    // The core treats an idle logout as final (as plain mode does): remember why for the exit.
    if (code === ErrorCode.IdleTimeout) state.exitReason = reason;
  });
  client.on('presence', (p) => {
    hooks.refreshUsers();
    const dm = state.store.get(conversationId('direct', p.user));
    if (dm) out.addTo(dm, out.infoLine(formatPresence(p)));
  });
  client.on('receipt', (r) => {
    const own = state.store
      .get(conversationId('direct', r.to))
      ?.lines.find((l) => l.kind === 'own' && l.id === r.id);
    if (own) own.delivered = true;
    // The receiver can confirm before our own request's reply is read: keep it for then.
    else state.earlyReceipts.add(r.id);
    hooks.redraw();
  });
  client.on('broadcast', (m) => {
    const line = { ts: m.ts, kind: 'message' as const, from: m.from, highlight: true };
    out.addTo(state.store.get(SERVER_ID)!, { ...line, text: `(broadcast) ${m.text}` });
  });
  const onTransfer = (t: TransferInfo) => {
    const i = state.transfers.findIndex((x) => x.transferId === t.transferId);
    if (i < 0) state.transfers.push({ ...t });
    else state.transfers[i] = { ...t };
    hooks.redraw();
  };
  client.on('transfer-incoming', (t) => {
    onTransfer(t);
    out.info(`Receiving ${t.filename} (${formatBytes(t.size)}) from ${t.peer}...`, t.peer);
    if (t.player) out.info(formatPlaying(t), t.peer);
  });
  client.on('transfer-path', (t) => {
    onTransfer(t);
    out.info(formatRoute(t), t.peer);
  });
  client.on('transfer-resumed', (t) => out.info(formatResuming(t), t.peer));
  client.on('transfer-player-failed', (t) => out.info(formatPlayerFailed(t), t.peer));
  client.on('transfer-progress', onTransfer);
  client.on('transfer-complete', (t) => {
    onTransfer(t);
    const text =
      t.direction === 'send'
        ? `${t.filename} has been uploaded`
        : `Received ${t.filename} from ${t.peer}${t.path ? ` (saved as ${t.path})` : ''}`;
    out.info(text, t.peer);
  });
  client.on('transfer-failed', (t) => {
    onTransfer(t);
    out.addTo(state.store.ensure('direct', t.peer), {
      ts: out.now(),
      kind: 'error',
      text: formatTransferFailed(t),
    });
  });
}
