/**
 * Plain-mode texts for the commands and events beyond the assignment. Short lines, one fact
 * each; timestamps in SPEC.md's format. Notices that arrive unasked (presence, receipts)
 * print without the command list.
 */
import { formatTimestamp } from '../util/time-format.js';
import type { CommandResult } from './chat-client.js';
import type { MoreResult } from './more-commands.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Lines of a /msgto result: queued for an offline user, and the away text if any. */
export function formatSent(result: Extract<CommandResult, { kind: 'sent' }>): string[] {
  const at = formatTimestamp(result.ts);
  const lines = result.queued
    ? [`${result.to} is offline: message queued at ${at}, delivered when they log in.`]
    : [`message sent at ${at}.`];
  if (result.away !== undefined) {
    lines.push(result.away ? `${result.to} is away: ${result.away}` : `${result.to} is away.`);
  }
  return lines;
}

export function formatMoreResult(result: MoreResult): string[] {
  switch (result.kind) {
    case 'history':
      return formatHistory(result);
    case 'broadcast-sent':
      return result.recipients === 0
        ? ['No other user is online; nobody got the broadcast.']
        : [`Broadcast sent to ${plural(result.recipients, 'user')}.`];
    case 'blocked-user':
      return [
        `${result.user} is blocked: their messages and files are refused and they cannot see you online.`,
      ];
    case 'unblocked-user':
      return [`${result.user} is unblocked.`];
    case 'block-list':
      return result.users.length === 0
        ? ['You have not blocked anyone.']
        : [`Blocked users: ${result.users.join(', ')}`];
    case 'last-seen':
      if (result.users.length === 0)
        return [`No users seen in the last ${plural(result.minutes, 'minute')}.`];
      return [
        `Users seen in the last ${plural(result.minutes, 'minute')}:`,
        ...result.users.map((u) =>
          u.online
            ? `${u.username}, online now`
            : `${u.username}, last seen ${formatTimestamp(u.lastSeen)}`,
        ),
      ];
    case 'away':
      if (!result.away) return ['You are back.'];
      return [result.text ? `You are away: ${result.text}` : 'You are away.'];
    case 'group-list':
      if (result.groups.length === 0) return ['You are in no group chats and have no invitations.'];
      return result.groups.map((g) =>
        g.state === 'joined'
          ? `${g.group}: joined, ${plural(g.members, 'member')}`
          : `${g.group}: invited by ${g.invitedBy ?? 'its creator'}, ${plural(g.members, 'member')}. Type /joingroup ${g.group} to join.`,
      );
    case 'group-members':
      return [
        `Members of ${result.group}:`,
        ...result.members.map(
          (m) => `${m.username}, ${m.state}, ${m.online ? 'online' : 'offline'}`,
        ),
      ];
    case 'invited':
      return [`Invited ${result.user} to group chat ${result.group}.`];
    case 'group-left':
      return [`You left the group chat ${result.group}.`];
    case 'group-transfer-started': {
      const lines: string[] = [];
      if (result.to.length > 0) {
        lines.push(
          `Sending ${result.filename} to ${plural(result.to.length, 'member')} of ${result.group}: ${result.to.join(', ')}`,
        );
      }
      for (const f of result.failed) lines.push(`Not sent to ${f.to}: ${f.error}`);
      return lines;
    }
  }
}

function formatHistory(result: Extract<MoreResult, { kind: 'history' }>): string[] {
  const group = result.conversationKind === 'group';
  const where = group ? `in group chat ${result.conversation}` : `with ${result.conversation}`;
  if (result.messages.length === 0) return [`No messages ${where} yet.`];
  const head = `Last ${plural(result.messages.length, 'message')} ${where}:`;
  return [
    head,
    ...result.messages.map((m) =>
      group
        ? `${formatTimestamp(m.ts)}, ${result.conversation}, ${m.from}: ${m.text}`
        : `${formatTimestamp(m.ts)}, ${m.from}: ${m.text}`,
    ),
  ];
}

export function formatPresence(p: { user: string; status: string; text?: string }): string {
  switch (p.status) {
    case 'online':
      return `${p.user} logged in.`;
    case 'offline':
      return `${p.user} logged out.`;
    case 'away':
      return p.text ? `${p.user} is away: ${p.text}` : `${p.user} is away.`;
    default:
      return `${p.user} is back.`;
  }
}

export const formatReceipt = (r: { to: string; ts: number }): string =>
  `${r.to} received your message sent at ${formatTimestamp(r.ts)}.`;

export const formatBroadcast = (m: { from: string; text: string; ts: number }): string =>
  `${formatTimestamp(m.ts)}, ${m.from} (broadcast): ${m.text}`;
