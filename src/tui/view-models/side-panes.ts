/**
 * The side panes as rows: the conversation list with unread and mention counts (WeeChat's
 * buflist and hotlist), and the online users with the time they became active.
 */
import type { Conversation } from '../../client/conversations.js';
import type { ActiveUser, GroupMember } from '../../protocol/control.js';
import { clockTime, dayLabel } from './message-rows.js';
import { nickStyle, type Row } from './spans.js';
import { fitWidth, textWidth } from './text-width.js';

/** How a conversation is named in the list: `server`, `@peer`, `#group`. */
export const listLabel = (c: Conversation): string =>
  c.kind === 'server' ? 'server' : c.kind === 'direct' ? `@${c.name}` : `#${c.name}`;

/** One row per conversation: `1 server`, `2 @obiwan   3`, the active one inverted. */
export function conversationRows(
  convs: readonly Conversation[],
  activeId: string,
  width: number,
): Row[] {
  return convs.map((c, i) => {
    const count = c.mentions > 0 ? `${c.mentions}!` : c.unread > 0 ? String(c.unread) : '';
    const num = `${i + 1}`.padStart(2);
    const labelWidth = Math.max(1, width - 3 - (count ? textWidth(count) + 1 : 0));
    const label = fitWidth(listLabel(c), labelWidth);
    if (c.id === activeId) {
      return [
        { text: fitWidth(`${num} ${label}${count ? ` ${count}` : ''}`, width), style: 'active' },
      ];
    }
    const row: Row = [
      { text: `${num} `, style: 'dim' },
      { text: label, style: c.mentions > 0 ? 'mention' : c.unread > 0 ? 'unread' : undefined },
    ];
    if (count) row.push({ text: ` ${count}`, style: c.mentions > 0 ? 'mention' : 'unread' });
    return row;
  });
}

/** `active since` as a short time: today's clock time, else the date. */
export function sinceLabel(since: number, now: number): string {
  const sameDay = new Date(since).toDateString() === new Date(now).toDateString();
  return sameDay
    ? clockTime(since, false)
    : dayLabel(since)
        .replace(/^\w+, /, '')
        .slice(0, 6);
}

/** One row per other online user: the name in its colour and when they became active. */
export function userRows(users: readonly ActiveUser[], width: number, now: number): Row[] {
  if (users.length === 0) return [[{ text: fitWidth('no other user', width), style: 'dim' }]];
  return [...users]
    .sort((a, b) => a.username.localeCompare(b.username))
    .map((u) => {
      const since = sinceLabel(u.since, now);
      const nameWidth = Math.max(1, width - textWidth(since) - 1);
      return [
        { text: fitWidth(u.username, nameWidth), style: nickStyle(u.username) },
        { text: ` ${since}`, style: 'dim' },
      ];
    });
}

/** Joined members first, then the invited, each by name. */
export function sortMembers(members: readonly GroupMember[]): GroupMember[] {
  const rank = (m: GroupMember) => (m.state === 'joined' ? 0 : 1);
  return [...members].sort((a, b) => rank(a) - rank(b) || a.username.localeCompare(b.username));
}

/**
 * A group's members, as an IRC channel's nick list: joined first, then the invited; who is
 * offline is dimmed.
 */
export function memberRows(members: readonly GroupMember[], width: number): Row[] {
  return sortMembers(members).map((m) => {
    const note = m.state === 'invited' ? 'invited' : m.online ? '' : 'offline';
    const nameWidth = Math.max(1, width - (note ? textWidth(note) + 1 : 0));
    const row: Row = [
      { text: fitWidth(m.username, nameWidth), style: m.online ? nickStyle(m.username) : 'dim' },
    ];
    if (note) row.push({ text: ` ${note}`, style: 'dim' });
    return row;
  });
}
