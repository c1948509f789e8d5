/**
 * What a transfer says as it goes: its path, progress, resumption, player, end and failure.
 * Pure functions from the core's TransferInfo to lines, for plain mode and the TUI alike.
 */
import type { TransferInfo } from '../client/transfers.js';
import { formatBytes } from '../util/bytes.js';

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
