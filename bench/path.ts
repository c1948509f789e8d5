/**
 * `npm run bench:path`: `/p2pvideo` between two real CLI clients across the namespace
 * internet (test/helpers/netns.ts, real kernel NAT, 40 ms RTT through the wan's delay router):
 * punched through cone NAT, relayed between symmetric NATs, forced through the relay
 * (`--relay-only`) between the cone homes, and plain node:net TCP over the same wan. Prints
 * medians of interleaved rounds, the path-finding times, the server's CPU per relayed GiB,
 * and the ratios issue 13 sets as goals. Needs root, iproute2, iptables and python3.
 *
 *   npm run bench:path -- --size 32 --rounds 3 --loss 0.02
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { requireNetns } from '../test/helpers/netns.js';
import { loadAverage } from './load/proc-stats.js';
import {
  type PathRun,
  p2pvideo,
  type RelayClosed,
  relayClosed,
  type Scene,
  startScene,
} from './path-scene.js';
import { tcpThroughWan } from './path-tcp.js';
import { makeFile, median } from './samples.js';

const { values: flags } = parseArgs({
  // run.mjs passes the bench name first.
  args: process.argv.slice(3),
  options: {
    size: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
    loss: { type: 'string', default: '0' },
    delay: { type: 'string', default: '20' },
  },
});
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const size = Number(flags.size) * MIB;
const rounds = Number(flags.rounds);
const loss = Number(flags.loss);
const delayMs = Number(flags.delay);
const rttMs = 2 * delayMs;
const punchGoalS = (rttMs + 200) / 1000;

type Src = { file: string; sha256: string; size: number };
type Case = { label: string; run: (src: Src, tag: string) => Promise<PathRun | number> };

/** /proc/<pid>/stat counts in USER_HZ ticks; bench/load/proc-stats.ts assumes 100. */
function checkClockTicks(): void {
  const ticks = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
  if (ticks !== '100') throw new Error(`CLK_TCK is ${ticks}, proc-stats.ts assumes 100`);
}

function cases(cone: Scene, symmetric: Scene): Case[] {
  return [
    {
      label: 'cone <-> cone',
      run: (src, tag) => p2pvideo(cone, 'Yoda', 'obiwan', src, `punched-${tag}.bin`),
    },
    {
      label: 'symmetric <-> symmetric',
      run: (src, tag) => p2pvideo(symmetric, 'Yoda', 'obiwan', src, `relayed-${tag}.bin`),
    },
    {
      label: 'cone <-> cone, --relay-only',
      run: (src, tag) => p2pvideo(cone, 'Hans', 'obiwan', src, `forced-${tag}.bin`),
    },
    {
      label: 'node:net TCP, cone home -> server',
      run: (src) => tcpThroughWan(cone.net.users[0]!, cone.net.server, 6000, src),
    },
  ];
}

const f = (x: number, digits: number, width: number) =>
  (Number.isFinite(x) ? x.toFixed(digits) : '-').padStart(width);

function row(label: string, runs: PathRun[]): string {
  const m = (pick: (r: PathRun) => number) => median(runs.map(pick));
  const routes = [...new Set(runs.map((r) => r.pathLine.replace(/[\d.]+ s/, 'N s')))];
  const cpuPerGiB = m((r) => r.serverCpuS) / (size / GIB);
  return (
    `${label.padEnd(34)}${f(
      m((r) => r.foundS),
      2,
      7,
    )}${f(
      m((r) => r.toPathS),
      2,
      8,
    )}` +
    `${f(
      m((r) => r.goodput),
      1,
      9,
    )}${f(
      m((r) => r.total),
      1,
      8,
    )}` +
    `${f(
      m((r) => r.serverCpuS),
      2,
      8,
    )}${f(cpuPerGiB, 2, 8)}   ${routes.join(' | ')}`
  );
}

/** Server CPU over all rounds / GiB relayed over all rounds (10 ms ticks: pool, not median). */
function relayCost(runs: PathRun[], closed: RelayClosed[]): string {
  const cpu = runs.reduce((s, r) => s + r.serverCpuS, 0);
  const bytes = closed.reduce((s, r) => s + r.bytesToAudience, 0);
  const datagrams = closed.reduce((s, r) => s + r.datagrams, 0);
  const perGiB = cpu / (bytes / GIB);
  const dgPerGiB = datagrams / (bytes / GIB);
  const usPerDg = (cpu / datagrams) * 1e6;
  return (
    `${perGiB.toFixed(2)} s/GiB = ${Math.round(dgPerGiB)} datagrams/GiB x ${usPerDg.toFixed(1)} us ` +
    `(${cpu.toFixed(2)} s CPU, ${(bytes / MIB).toFixed(1)} MiB to the audience = ` +
    `${(bytes / (runs.length * size)).toFixed(2)} x the files, ${datagrams} datagrams ` +
    `both ways) (goal <= 2: ${perGiB <= 2 ? 'met' : 'MISSED'})`
  );
}

const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

async function main(): Promise<void> {
  requireNetns();
  checkClockTicks();
  const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  console.log(
    `Tessenger path bench: ${size / MIB} MiB /p2pvideo through the namespace internet, ` +
      `${delayMs} ms per wan crossing (${rttMs} ms RTT user to user), ${loss * 100} % wan loss;`,
  );
  console.log(
    `medians of ${rounds} interleaved rounds. Machine: nproc ${nproc}, Node ${process.version}`,
  );
  console.log(`load average at start: ${loadAverage()}`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tessenger-bench-path-'));
  const scenes: Scene[] = [];
  try {
    const src = { ...(await makeFile(dir, size)), size };
    const wan = { delayMs, loss };
    const cone = await startScene('cone', wan, [
      { name: 'Yoda', user: 0, flags: [] },
      { name: 'Hans', user: 0, flags: ['--relay-only'] },
      { name: 'obiwan', user: 1, flags: [] },
    ]);
    scenes.push(cone);
    const fast = ['--punch-timeout', '1'];
    const symmetric = await startScene('symmetric', wan, [
      { name: 'Yoda', user: 0, flags: fast },
      { name: 'obiwan', user: 1, flags: fast },
    ]);
    scenes.push(symmetric);
    const list = cases(cone, symmetric);
    const samples: Array<Array<PathRun | number>> = list.map(() => []);
    for (let round = 1; round <= rounds; round++) {
      for (const [i, c] of list.entries()) samples[i]!.push(await c.run(src, `r${round}`));
      const got = samples.map((list) => list[list.length - 1]!);
      const text = got.map((r) =>
        typeof r === 'number'
          ? `TCP ${r.toFixed(1)}`
          : `${r.route} ${r.goodput.toFixed(1)} (drops: server ${r.rcvbufDrops.server}, ` +
            `audience ${r.rcvbufDrops.audience})`,
      );
      console.log(`round ${round}/${rounds}: ${text.join(', ')} MB/s; load ${loadAverage()}`);
    }
    console.log('waiting for the relay\'s "relay closed" lines (it closes after 30 s idle)');
    const closed = {
      symmetric: await relayClosed(symmetric, rounds),
      forced: await relayClosed(cone, rounds),
    };
    report(list, samples, closed);
  } finally {
    for (const s of scenes) await s.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
  console.log(`load average at end: ${loadAverage()}`);
}

function report(
  list: Case[],
  samples: Array<Array<PathRun | number>>,
  closed: { symmetric: RelayClosed[]; forced: RelayClosed[] },
): void {
  const [punched, relayed, forced] = samples.slice(0, 3) as [PathRun[], PathRun[], PathRun[]];
  const tcp = median(samples[3] as number[]);
  console.log(
    '\ntimed by the bench from the presenter\'s lines: "path s" = the product\'s own figure\n' +
      '("found in" / "after"), "to path" = from typing /p2pvideo to the path line (offer, accept,\n' +
      'candidates, punch); goodput = bytes / (path line -> "has been uploaded"), i.e. without\n' +
      'the path-finding wait; total = bytes / (command -> "has been uploaded"). MB = 10^6 B.\n' +
      'Every file checked by SHA-256 at the audience. TCP: accept -> end of stream at the sink.\n',
  );
  console.log(
    `${'case'.padEnd(34)}${'path s'.padStart(7)}${'to path'.padStart(8)}${'goodput'.padStart(9)}` +
      `${'total'.padStart(8)}${'srv CPU'.padStart(8)}${'s/GiB'.padStart(8)}   path line`,
  );
  for (const [i, runs] of [punched, relayed, forced].entries())
    console.log(row(list[i]!.label, runs));
  console.log(`${list[3]!.label.padEnd(34)}${''.padStart(15)}${f(tcp, 1, 9)}`);

  const direct = median(punched.map((r) => r.goodput));
  const relay = median(relayed.map((r) => r.goodput));
  const relayOnly = median(forced.map((r) => r.goodput));
  const punch = median(punched.map((r) => r.foundS));
  const allPunched = punched.every((r) => r.route === 'punched');
  const allRelayed = [...relayed, ...forced].every((r) => r.route === 'relayed');
  console.log('\ngoals (issue 13):');
  console.log(
    `  punch time, median "found in"     ${punch.toFixed(2)} s vs <= 1 RTT + 200 ms = ` +
      `${punchGoalS.toFixed(2)} s: ${verdict(punch <= punchGoalS)}` +
      `${allPunched ? '' : ' (NOT every cone run was punched)'}`,
  );
  console.log(
    `  relayed / direct goodput          ${(relay / direct).toFixed(2)} ` +
      `(symmetric relayed ${relay.toFixed(1)} / cone punched ${direct.toFixed(1)}; goal >= 0.8: ` +
      `${verdict(relay / direct >= 0.8)})${allRelayed ? '' : ' (NOT every relay run was relayed)'}`,
  );
  console.log(
    `  --relay-only / direct, same homes ${(relayOnly / direct).toFixed(2)} ` +
      `(${relayOnly.toFixed(1)} / ${direct.toFixed(1)})`,
  );
  const all = [...closed.symmetric, ...closed.forced];
  console.log(`  server CPU per relayed GiB        ${relayCost([...relayed, ...forced], all)}`);
  console.log(`    symmetric <-> symmetric only    ${relayCost(relayed, closed.symmetric)}`);
  console.log(`    --relay-only only               ${relayCost(forced, closed.forced)}`);
  const directCpu = punched.reduce((s, r) => s + r.serverCpuS, 0);
  console.log(
    `  server CPU, punched transfers     ${directCpu.toFixed(2)} s over ${punched.length} x ` +
      `${size / MIB} MiB (the server only brokers)`,
  );
  console.log(
    `  Tessenger direct / TCP            ${(direct / tcp).toFixed(2)} (${direct.toFixed(1)} / ${tcp.toFixed(1)})`,
  );
  console.log(
    '  (relayed data crosses the wan twice: 2 x delay each way, and the delay router carries it twice;\n' +
      '   the server relays at most 32 MB/s per user by default, --relay-rate-per-user)',
  );
}

await main();
