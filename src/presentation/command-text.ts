/**
 * The lines each command's result prints: SPEC.md's sample texts verbatim for the
 * assignment's commands, short lines with one fact each for the rest. One case per result,
 * in the order of the command table (client/commands/index.ts); a result without its text
 * does not compile. Plain mode prints these as they are; the TUI places them in its panes.
 */

import type { History } from '../client/commands/history.js';
import type { CommandResult } from '../client/commands/index.js';
import type { Sent } from '../client/commands/msgto.js';
import { formatBytes } from '../util/bytes.js';
import { formatTimestamp } from '../util/time-format.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function formatResult(result: CommandResult): string[] {
  switch (result.kind) {
    case 'sent':
      return formatSent(result);
    case 'active-users':
      if (result.users.length === 0) return ['no other active user'];
      return result.users.map(
        (u) =>
          `${u.username}, ${u.address}, ${u.udpPort}, active since ${formatTimestamp(u.since)}.${awayNote(u.away)}`,
      );
    case 'group-created':
      return [`Group chat created ${result.group}`];
    case 'group-joined':
      return [`Joined the group chat: ${result.group} successfully.`];
    case 'group-sent':
      return ['Group chat message sent.'];
    case 'transfer-started':
      return [`Sending ${result.filename} (${formatBytes(result.size)}) to ${result.to}...`];
    case 'logged-out':
      return [`Bye, ${result.username}!`];
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

const awayNote = (away: string | undefined): string =>
  away === undefined ? '' : away === '' ? ' (away)' : ` (away: ${away})`;

/** Lines of a /msgto result: queued for an offline user, and the away text if any. */
function formatSent(result: Sent): string[] {
  const at = formatTimestamp(result.ts);
  const lines = result.queued
    ? [`${result.to} is offline: message queued at ${at}, delivered when they log in.`]
    : [`message sent at ${at}.`];
  if (result.away !== undefined) {
    lines.push(result.away ? `${result.to} is away: ${result.away}` : `${result.to} is away.`);
  }
  return lines;
}

function formatHistory(result: History): string[] {
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
