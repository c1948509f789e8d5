/**
 * Command line of `npm run bench:transfer -- [options]` (environment variables of the first
 * version still give the defaults):
 *   --only loopback,scp,tls,proxy,wan   parts to run (default all); Tessenger's loopback
 *                                       transfer runs whenever loopback, scp or tls does
 *   --size MiB (BENCH_MIB, 200)         the loopback file, and the wan's loss-free one
 *   --proxy-size MiB (BENCH_PROXY_MIB, 64)
 *   --wan-size MiB (32)                 the file for the lossy wan rows
 *   --wan-loss 0,2,10                   wan loss rates in %
 *   --runs N (BENCH_RUNS, 3)            interleaved rounds; medians are printed
 *   --cap s (120)                       time cap of one wan run
 */
import { parseArgs } from 'node:util';

export const PARTS = ['loopback', 'scp', 'tls', 'proxy', 'wan'] as const;
export type Part = (typeof PARTS)[number];

export interface TransferBenchOptions {
  parts: ReadonlySet<Part>;
  sizeMib: number;
  proxySizeMib: number;
  wanSizeMib: number;
  wanLosses: number[];
  runs: number;
  capMs: number;
}

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} wants a positive number`);
  return n;
}

export function parseTransferOptions(argv: string[]): Readonly<TransferBenchOptions> {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      size: { type: 'string', default: process.env.BENCH_MIB ?? '200' },
      'proxy-size': { type: 'string', default: process.env.BENCH_PROXY_MIB ?? '64' },
      'wan-size': { type: 'string', default: '32' },
      'wan-loss': { type: 'string', default: '0,2,10' },
      runs: { type: 'string', default: process.env.BENCH_RUNS ?? '3' },
      cap: { type: 'string', default: '120' },
    },
  });
  const parts = values.only ? values.only.split(',').map((p) => p.trim()) : [...PARTS];
  for (const p of parts) {
    if (!(PARTS as readonly string[]).includes(p)) {
      throw new Error(`--only: unknown part "${p}" (parts: ${PARTS.join(', ')})`);
    }
  }
  const wanLosses = values['wan-loss'].split(',').map((x) => {
    const pct = Number(x);
    if (!Number.isFinite(pct) || pct < 0 || pct >= 100) throw new Error('--wan-loss: 0..99 %');
    return pct / 100;
  });
  return Object.freeze({
    parts: new Set(parts as Part[]),
    sizeMib: positive('size', values.size),
    proxySizeMib: positive('proxy-size', values['proxy-size']),
    wanSizeMib: positive('wan-size', values['wan-size']),
    wanLosses,
    runs: Math.round(positive('runs', values.runs)),
    capMs: positive('cap', values.cap) * 1000,
  });
}
