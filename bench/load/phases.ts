/**
 * The measured phases of the chat bench, the same for both servers: log everyone in, send at
 * saturation or at a fixed rate for a window, hold idle connections. Server CPU and memory
 * come from /proc, sampled at the edges of the measured window.
 */
import { Histogram } from './histogram.js';
import { nowMs } from './load-client.js';
import type { RunReport } from './plan.js';
import { cpuSeconds, memoryKiB, syscallCounts } from './proc-stats.js';
import type { WorkerGroup } from './workers.js';

export interface Timing {
  warmupMs: number;
  durationMs: number;
  drainMs: number;
}

export interface PhaseResult {
  /** Messages the server acknowledged per second (open loop: messages offered per second). */
  messagesPerSec: number;
  deliveriesPerSec: number;
  p50: number;
  p99: number;
  max: number;
  /** Share of the expected deliveries (sent × receivers) that arrived, in %. */
  deliveredPct: number;
  /** Server CPU over the window, in % of one core. */
  cpuPct: number;
  /** The `extraPids`' CPU over the window, each in % of one core. */
  extraCpuPct: number[];
  /** The generator processes' CPU over the window, added up, in % of one core. */
  generatorCpuPct: number;
  /** The server's write and read system calls over the window, per message counted. */
  writesPerMessage: number;
  readsPerMessage: number;
  rssMiB: number;
  failures: number;
  failureSamples: string[];
}

interface LoginReport {
  ms: number;
  failures: number;
  failureSamples: string[];
}

/** Logs every worker's users in; logins per second over the slowest worker's time. */
export async function loginPhase(workers: WorkerGroup, concurrency: number, total: number) {
  const started = nowMs();
  const reports = await workers.call<LoginReport>({ cmd: 'login', concurrency });
  const seconds = (nowMs() - started) / 1000;
  const failures = reports.reduce((s, r) => s + r.failures, 0);
  return {
    perSec: total / seconds,
    seconds,
    failures,
    samples: reports.flatMap((r) => r.failureSamples),
  };
}

export async function groupSetup(workers: WorkerGroup): Promise<void> {
  await workers.call({ cmd: 'create-groups' });
  await workers.call({ cmd: 'join-groups' });
}

/** One measured window of direct or group messages; `rate` 0 = closed loop (saturation). */
export async function messagePhase(options: {
  workers: WorkerGroup;
  pid: number;
  mode: 'direct' | 'group';
  rate: number;
  window: number;
  receivers: number;
  timing: Timing;
  /** More server processes (a cluster's other nodes, redis-server) measured in the same window. */
  extraPids?: number[];
}): Promise<PhaseResult> {
  const { workers, pid, timing } = options;
  const extra = options.extraPids ?? [];
  let extra0: number[] = [];
  let extra1: number[] = [];
  const startAt = nowMs() + 300;
  const windowStart = startAt + timing.warmupMs;
  const windowEnd = windowStart + timing.durationMs;
  let cpu0 = Number.NaN;
  let cpu1 = Number.NaN;
  let gen0 = Number.NaN;
  let gen1 = Number.NaN;
  let rss = Number.NaN;
  let io0 = { reads: Number.NaN, writes: Number.NaN };
  let io1 = io0;
  const generatorCpu = () => workers.pids.reduce((s, p) => s + cpuSeconds(p), 0);
  const t0 = setTimeout(() => {
    cpu0 = cpuSeconds(pid);
    extra0 = extra.map(cpuSeconds);
    io0 = syscallCounts(pid);
    gen0 = generatorCpu();
  }, windowStart - nowMs());
  const t1 = setTimeout(() => {
    cpu1 = cpuSeconds(pid);
    extra1 = extra.map(cpuSeconds);
    io1 = syscallCounts(pid);
    gen1 = generatorCpu();
    rss = memoryKiB(pid).rss;
  }, windowEnd - nowMs());
  const reports = await workers.call<RunReport>({
    cmd: 'run',
    mode: options.mode,
    rate: options.rate / workers.size,
    window: options.window,
    startAt,
    ...timing,
  });
  clearTimeout(t0);
  clearTimeout(t1);
  const histogram = new Histogram();
  for (const r of reports) histogram.merge(r.histogram);
  const seconds = timing.durationMs / 1000;
  const sum = (pick: (r: RunReport) => number) => reports.reduce((s, r) => s + pick(r), 0);
  const sent = sum((r) => r.sentInWindow);
  const counted = options.rate === 0 ? sum((r) => r.ackedInWindow) : sent;
  return {
    messagesPerSec: counted / seconds,
    deliveriesPerSec: sum((r) => r.deliveredInWindow) / seconds,
    p50: histogram.quantile(0.5),
    p99: histogram.quantile(0.99),
    max: histogram.max,
    deliveredPct: sent === 0 ? 0 : (100 * histogram.count) / (sent * options.receivers),
    cpuPct: (100 * (cpu1 - cpu0)) / seconds,
    extraCpuPct: extra.map((_, i) => (100 * ((extra1[i] ?? 0) - (extra0[i] ?? 0))) / seconds),
    generatorCpuPct: (100 * (gen1 - gen0)) / seconds,
    writesPerMessage: counted === 0 ? Number.NaN : (io1.writes - io0.writes) / counted,
    readsPerMessage: counted === 0 ? Number.NaN : (io1.reads - io0.reads) / counted,
    rssMiB: rss / 1024,
    failures: sum((r) => r.failures),
    failureSamples: reports.flatMap((r) => r.failureSamples).slice(0, 3),
  };
}

/** Waits until the server has used under 2 % CPU for half a second (or `timeoutMs` passed). */
export async function settle(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const before = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 500));
    if (cpuSeconds(pid) - before < 0.01) return;
  }
}
