/**
 * Medians of interleaved rounds: every measurement runs once per round, round after round. On
 * a shared machine the load drifts, and interleaving exposes all of them to the same drift.
 */
import type { Sample } from './baselines.js';
import { median } from './samples.js';

/** The median sample by goodput; it is `capped` when the median run hit the time cap. */
function medianSample(list: Sample[]): Sample {
  const mid = [...list].sort((a, b) => a.mbps - b.mbps)[Math.floor((list.length - 1) / 2)]!;
  const defined = (xs: Array<number | undefined>) => xs.filter((x): x is number => x !== undefined);
  const loss = defined(list.map((s) => s.lossPct));
  const cpu = defined(list.map((s) => s.cpuMs));
  return {
    mbps: mid.mbps,
    lossPct: loss.length ? median(loss) : undefined,
    capped: mid.capped,
    cpuMs: cpu.length ? median(cpu) : undefined,
  };
}

export async function interleaved(n: number, fns: Array<() => Promise<Sample>>): Promise<Sample[]> {
  const samples: Sample[][] = fns.map(() => []);
  for (let round = 0; round < n; round++) {
    for (const [i, fn] of fns.entries()) samples[i]!.push(await fn());
  }
  return samples.map(medianSample);
}

export const fmt = (s: Sample): string =>
  `${s.capped ? '< ' : ''}${s.mbps.toFixed(s.mbps < 10 ? 2 : 1)} MB/s` +
  (s.lossPct !== undefined ? ` (${s.lossPct.toFixed(1)} % lost)` : '');
