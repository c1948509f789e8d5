/**
 * The chat bench's table: one column per server and the Tessenger ÷ ngIRCd ratio, so the
 * targets (≥ 1.0 × ngIRCd for deliveries, ≤ 10 ms p99 at half saturation, ≤ 10 KiB per idle
 * connection) can be read off one screen.
 */
import type { PhaseResult } from './phases.js';

export interface IdleResult {
  connections: number;
  perConnKiB: number;
  rssMiB: number;
  loginsPerSec: number;
  failures: number;
}

export interface ServerResult {
  name: string;
  login?: { perSec: number; seconds: number; failures: number };
  directSat?: PhaseResult;
  groupSat?: PhaseResult;
  directRate?: PhaseResult;
  groupRate?: PhaseResult;
  peakRssMiB?: number;
  idle?: IdleResult;
}

type Row = [label: string, pick: (r: ServerResult) => number | undefined, digits: number];

function phaseRows(
  key: 'directSat' | 'groupSat' | 'directRate' | 'groupRate',
  title: string,
): Row[] {
  return [
    [`${title} messages/s`, (r) => r[key]?.messagesPerSec, 0],
    [`${title} deliveries/s`, (r) => r[key]?.deliveriesPerSec, 0],
    [`${title} latency p50 ms`, (r) => r[key]?.p50, 2],
    [`${title} latency p99 ms`, (r) => r[key]?.p99, 2],
    [`${title} latency max ms`, (r) => r[key]?.max, 1],
    [`${title} delivered %`, (r) => r[key]?.deliveredPct, 1],
    [`${title} server CPU %`, (r) => r[key]?.cpuPct, 0],
    [`${title} generator CPU %`, (r) => r[key]?.generatorCpuPct, 0],
    [`${title} server writes/message`, (r) => r[key]?.writesPerMessage, 2],
    [`${title} server reads/message`, (r) => r[key]?.readsPerMessage, 2],
  ];
}

export function formatTable(
  results: ServerResult[],
  rates: { direct: number; group: number },
  idleCount: number,
): string {
  const rows: Row[] = [
    ['logins/s', (r) => r.login?.perSec, 0],
    ...phaseRows('directSat', 'direct, saturation:'),
    ...phaseRows('groupSat', 'group, saturation:'),
    ...phaseRows('directRate', `direct @ ${Math.round(rates.direct)}/s:`),
    ...phaseRows('groupRate', `group @ ${Math.round(rates.group)}/s:`),
    ['peak RSS MiB (busy)', (r) => r.peakRssMiB, 1],
    [`idle ${idleCount}: logins/s`, (r) => r.idle?.loginsPerSec, 0],
    [`idle ${idleCount}: RSS MiB`, (r) => r.idle?.rssMiB, 1],
    [`idle ${idleCount}: KiB per connection`, (r) => r.idle?.perConnKiB, 2],
    [`idle ${idleCount}: login failures`, (r) => r.idle?.failures, 0],
  ];
  const tess = results.find((r) => r.name === 'Tessenger');
  const irc = results.find((r) => r.name === 'ngIRCd');
  const header = ['', ...results.map((r) => r.name), ...(tess && irc ? ['Tessenger/ngIRCd'] : [])];
  const lines = [header];
  for (const [label, pick, digits] of rows) {
    const values = results.map(pick);
    if (values.every((v) => v === undefined)) continue;
    const cells = values.map((v) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits)));
    if (tess && irc) {
      const a = pick(tess);
      const b = pick(irc);
      cells.push(a !== undefined && b !== undefined && b > 0 ? `${(a / b).toFixed(2)}x` : '-');
    }
    lines.push([label, ...cells]);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  return lines
    .map((l) =>
      l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '),
    )
    .join('\n');
}
