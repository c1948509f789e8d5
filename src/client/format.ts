/**
 * Plain-mode texts: SPEC.md's sample texts verbatim, and short lines for what it does not cover.
 * Pure functions from results and events to lines.
 */
import { formatTimestamp } from '../util/time-format.js';
import type { CommandResult } from './chat-client.js';
import { formatMoreResult, formatSent } from './more-format.js';
import type { TransferInfo } from './transfers.js';

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
    default:
      return formatMoreResult(result);
  }
}

const awayNote = (away: string | undefined): string =>
  away === undefined ? '' : away === '' ? ' (away)' : ` (away: ${away})`;

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

export function formatTransferDone(t: TransferInfo): string[] {
  if (t.direction === 'send') return [`${t.filename} has been uploaded`];
  const lines = [`Received ${t.filename} from ${t.peer}`];
  if (t.path) lines.push(`Saved as ${t.path}`);
  return lines;
}

export function formatTransferFailed(t: TransferInfo): string {
  const way = t.direction === 'send' ? `to ${t.peer}` : `from ${t.peer}`;
  if (t.peerOffline) return `Transfer of ${t.filename} ${way} stopped: ${formatPeerOffline(t)}`;
  return `Transfer of ${t.filename} ${way} failed: ${t.error ?? 'unknown error'}`;
}

/** Why a transfer stopped when the server said its peer's session ended, and what to do. */
export function formatPeerOffline(t: TransferInfo): string {
  const pct = t.size === 0 ? 100 : Math.floor((t.bytes / t.size) * 100);
  return t.direction === 'send'
    ? `${t.peer} went offline; ${pct}% delivered, send it again when they are back to resume.`
    : `${t.peer} went offline; ${pct}% kept, send it again to resume.`;
}

/** Receiver: the file is streamed into a player as it arrives. */
export const formatPlaying = (t: TransferInfo): string =>
  `Playing ${t.filename} with ${t.player} while receiving`;

/** Receiver: the player command never ran; the transfer goes on and the file is saved. */
export const formatPlayerFailed = (t: TransferInfo): string =>
  `Could not start player ${t.player} (${t.playerError ?? 'unknown error'}); saving ${t.filename} only`;

/** Receiver: an earlier attempt left part of the file, only the rest comes. */
export function formatResuming(t: TransferInfo): string {
  const pct = t.size === 0 ? 100 : Math.floor(((t.resumed ?? 0) / t.size) * 100);
  return `Resuming ${t.filename} from ${t.peer} at ${pct}%`;
}

export function formatProgress(t: TransferInfo): string {
  const pct = t.size === 0 ? 100 : Math.floor((t.bytes / t.size) * 100);
  const eta = t.eta === null ? '--' : `${Math.ceil(t.eta)}s`;
  const route = t.route ? `, ${routeLabel(t.route)}` : '';
  return `${t.filename}: ${pct}% ${formatBytes(t.bytes)}/${formatBytes(t.size)} at ${formatBytes(t.rate)}/s, ETA ${eta}${route}`;
}

/** How a transfer's data flows, as the panel and progress lines say it. */
export function routeLabel(route: NonNullable<TransferInfo['route']>): string {
  switch (route) {
    case 'finding':
      return 'finding a path';
    case 'direct':
      return 'direct';
    case 'punched':
      return 'direct (NAT punched)';
    case 'relayed':
      return 'relayed via server';
  }
}

/** The line said once a transfer's path is chosen: which path, and why. */
export function formatRoute(t: TransferInfo): string {
  const who = t.direction === 'send' ? `to ${t.peer}` : `from ${t.peer}`;
  const secs = ((t.routeMs ?? 0) / 1000).toFixed(t.route === 'relayed' ? 1 : 2);
  if (t.route === 'relayed') {
    if (t.relayOnly) return `Path ${who}: relayed via server (--relay-only)`;
    return t.direction === 'send'
      ? `no direct path to ${t.peer} after ${secs} s: relaying through the server`
      : `no direct path from ${t.peer}: relaying through the server`;
  }
  const label = routeLabel(t.route ?? 'direct');
  const via = t.via ? ` (${t.via})` : '';
  return t.direction === 'send'
    ? `Path ${who}: ${label}, found in ${secs} s${via}`
    : `Path ${who}: ${label}${via}`;
}

/** Human-readable size: 0 B, 1023 B, 1.0 KiB, 12.3 MiB ... */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}
