/**
 * The transfers panel: one row per transfer with direction, name, a progress bar, rate and
 * ETA while running, and the outcome once done or failed.
 */
import type { TransferInfo } from '../../client/transfers.js';
import { routeLabel } from '../../presentation/transfer-text.js';
import { formatBytes } from '../../util/bytes.js';
import type { Row } from './spans.js';
import { fitWidth, textWidth } from './text-width.js';

/** `[#####.....]` of `width` cells for a fraction 0..1. */
export function progressBar(fraction: number, width: number): string {
  const inner = Math.max(1, width - 2);
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * inner);
  return `[${'#'.repeat(filled)}${'.'.repeat(inner - filled)}]`;
}

export const formatEta = (eta: number | null): string => {
  if (eta === null || !Number.isFinite(eta)) return '--';
  const s = Math.ceil(eta);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

/** The headline of a transfer: `↑ video.mp4 → obiwan` or `↓ video.mp4 ← Yoda`. */
export const transferLabel = (t: TransferInfo): string =>
  t.direction === 'send' ? `↑ ${t.filename} → ${t.peer}` : `↓ ${t.filename} ← ${t.peer}`;

/** The label gets what it needs while leaving the bar at least 12 cells. */
function labelRoom(t: TransferInfo, width: number, tail: string): number {
  return Math.max(6, Math.min(textWidth(transferLabel(t)) + 1, width - 1 - textWidth(tail) - 12));
}

export function transferRow(t: TransferInfo, width: number, selected: boolean): Row {
  const mark = selected ? '>' : ' ';
  if (t.state === 'failed') {
    const outcome = t.peerOffline ? 'stopped' : 'failed';
    const text = `${mark}${transferLabel(t)}  ${outcome}: ${t.error ?? 'unknown error'}`;
    return [{ text: fitWidth(text, width), style: 'fail' }];
  }
  if (t.state === 'done') {
    const what = t.direction === 'send' ? 'Uploaded' : 'Received';
    const tail = ` 100% ${what} ${formatBytes(t.size)}`;
    const labelWidth = labelRoom(t, width, tail);
    const barWidth = Math.max(4, Math.min(22, width - 1 - labelWidth - textWidth(tail)));
    return [
      { text: mark + fitWidth(transferLabel(t), labelWidth) },
      { text: progressBar(1, barWidth), style: 'ok' },
      { text: fitWidth(tail, width - 1 - labelWidth - barWidth), style: 'ok' },
    ];
  }
  const pct = t.size === 0 ? 100 : Math.floor((t.bytes / t.size) * 100);
  const route = routeLabel(t.route ?? 'direct');
  const tail = ` ${String(pct).padStart(3)}% ${formatBytes(t.rate)}/s ETA ${formatEta(t.eta)} ${route}`;
  const labelWidth = labelRoom(t, width, tail);
  const barWidth = Math.max(4, width - 1 - labelWidth - textWidth(tail));
  return [
    { text: mark + fitWidth(transferLabel(t), labelWidth) },
    { text: progressBar(t.size === 0 ? 1 : t.bytes / t.size, barWidth), style: 'bar' },
    { text: fitWidth(tail, width - 1 - labelWidth - barWidth) },
  ];
}

/** Which transfers the panel shows: running ones first, then the latest finished. */
export function shownTransfers(all: readonly TransferInfo[], max: number): TransferInfo[] {
  const running = all.filter((t) => t.state === 'running');
  const finished = all.filter((t) => t.state !== 'running').slice(-max);
  return [...running, ...finished.reverse()].slice(0, max);
}
