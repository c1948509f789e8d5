/**
 * The status bar (server, user, connection state, active conversation, activity) and the
 * title bar above the panes.
 */
import type { Conversation } from '../../client/conversations.js';
import type { LinkState } from '../../client/reconnect.js';
import type { ActiveUser } from '../../protocol/control.js';
import { clockTime } from './message-rows.js';
import { listLabel } from './side-panes.js';
import type { Row, Span } from './spans.js';

export interface StatusInput {
  now: number;
  server: string;
  user: string;
  link: LinkState;
  convs: readonly Conversation[];
  activeId: string;
  /** Rows scrolled up from the bottom; 0 when following. */
  scrolled: number;
  /** Lines waiting to be sent once the link is back. */
  queued: number;
  /** When the next reconnect attempt is due (ms since the epoch), while waiting. */
  retryAt: number | null;
}

/** Words for the link state a user reads at a glance. */
export function linkLabel(link: LinkState, now: number, retryAt: number | null): Span {
  switch (link.state) {
    case 'online':
      return { text: 'online', style: 'ok' };
    case 'connecting':
      return { text: `reconnecting (try ${link.attempt})`, style: 'warn' };
    case 'waiting': {
      const secs = Math.max(0, Math.ceil(((retryAt ?? now + link.delayMs) - now) / 1000));
      return { text: `disconnected, retry in ${secs}s (try ${link.attempt})`, style: 'fail' };
    }
    case 'gave-up':
      return { text: `disconnected: ${link.reason}`, style: 'fail' };
  }
}

export function statusRow(s: StatusInput): Row {
  const i = s.convs.findIndex((c) => c.id === s.activeId);
  const active = s.convs[i];
  const row: Row = [
    { text: `[${clockTime(s.now, false)}] ` },
    { text: `[${s.user}@${s.server}] ` },
    { text: '[' },
    linkLabel(s.link, s.now, s.retryAt),
    { text: '] ' },
  ];
  if (active) row.push({ text: `[${i + 1}:${listLabel(active)}] `, style: 'bold' });
  const act: Span[] = [];
  s.convs.forEach((c, n) => {
    if (c.id === s.activeId || c.unread === 0) return;
    if (act.length > 0) act.push({ text: ',' });
    act.push({ text: String(n + 1), style: c.mentions > 0 ? 'mention' : 'unread' });
  });
  if (act.length > 0) row.push({ text: '[Act: ' }, ...act, { text: '] ' });
  if (s.queued > 0) row.push({ text: `[${s.queued} queued] `, style: 'warn' });
  if (s.scrolled > 0) row.push({ text: `[-${s.scrolled} more below]`, style: 'warn' });
  return row;
}

/** The title bar: what the active conversation is and what typing there does. */
export function titleText(
  conv: Conversation,
  server: string,
  users: readonly ActiveUser[] = [],
): string {
  switch (conv.kind) {
    case 'server':
      return `Tessenger ${server} | /help for commands, Alt+number or Ctrl+N/P for panes`;
    case 'direct': {
      const peer = users.find((u) => u.username === conv.name);
      const presence = peer ? `online since ${clockTime(peer.since, false)}` : 'not online';
      return `Direct chat with ${conv.name} (${presence}) | text you type goes to ${conv.name}`;
    }
    case 'group':
      return `Group chat #${conv.name} | text you type goes to the group`;
  }
}
