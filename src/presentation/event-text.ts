/**
 * What arrives unasked: messages, group messages and invitations, broadcasts, presence
 * notices and receipts. SPEC.md's formats where it has them; timestamps in its format.
 */
import { formatTimestamp } from '../util/time-format.js';

export const formatMessage = (m: { from: string; text: string; ts: number }): string =>
  `${formatTimestamp(m.ts)}, ${m.from}: ${m.text}`;

export const formatGroupMessage = (m: {
  group: string;
  from: string;
  text: string;
  ts: number;
}): string => `${formatTimestamp(m.ts)}, ${m.group}, ${m.from}: ${m.text}`;

export const formatInvite = (i: { group: string; from: string }): string =>
  `${i.from} added you to group chat ${i.group}. Type /joingroup ${i.group} to join.`;

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
