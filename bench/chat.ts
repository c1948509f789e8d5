/**
 * Chat bench: Tessenger's server against ngIRCd (C) on the same machine, driven by the same
 * load generator (two processes, bench/chat-worker.ts): N clients log in, then direct
 * messages between random pairs and group messages in groups of 100, each at saturation
 * (closed loop) and at a fixed rate (half of Tessenger's saturation), then idle logged-in
 * connections (10,000 by default; `--idle 0` skips them, `--clients 0` runs only them). Prints
 * both rows and the ratios; docs/PERFORMANCE.md explains.
 *
 *   npm run bench:chat -- --clients 1000 --duration 10 --idle 10000
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findNgircd, NGIRCD_MISSING, type RunningServer, startNgircd } from './irc/ngircd.js';
import { groupSetup, loginPhase, messagePhase, settle, type Timing } from './load/phases.js';
import { type Protocol, passwordOf, userName } from './load/plan.js';
import { loadAverage, memoryKiB } from './load/proc-stats.js';
import { formatTable, type ServerResult } from './load/report.js';
import { startTessenger } from './load/tessenger-server.js';
import { WorkerGroup } from './load/workers.js';

const { values: flags } = parseArgs({
  // run.mjs passes the bench name first.
  args: process.argv.slice(3),
  options: {
    clients: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    rate: { type: 'string', default: '0' },
    'group-rate': { type: 'string', default: '0' },
    'group-size': { type: 'string', default: '100' },
    'window-direct': { type: 'string', default: '4' },
    'window-group': { type: 'string', default: '1' },
    workers: { type: 'string', default: '2' },
    idle: { type: 'string', default: '10000' },
    only: { type: 'string', default: '' },
    // Message phases to run: `direct`, `group` or both (comma-separated); skipped rows print as -.
    phases: { type: 'string', default: 'direct,group' },
    'cpu-prof': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

const clients = Number(flags.clients);
const groupSize = Number(flags['group-size']);
const idleCount = Number(flags.idle);
const workerCount = Number(flags.workers);
const timing: Timing = {
  warmupMs: Number(flags.warmup) * 1000,
  durationMs: Number(flags.duration) * 1000,
  drainMs: 500,
};
const width = Math.max(4, String(Math.max(clients, idleCount) - 1).length);
const dir = await mkdtemp(path.join(os.tmpdir(), 'tessenger-chat-bench-'));
const credentials = path.join(dir, 'credentials.txt');
await writeFile(
  credentials,
  Array.from(
    { length: Math.max(clients, idleCount) },
    (_, i) => `${userName(i, width)} ${passwordOf(i, width)}\n`,
  ).join(''),
);

const ngircd = findNgircd();
const servers: Array<{ name: string; protocol: Protocol }> = [];
if (flags.only !== 'ngircd') servers.push({ name: 'Tessenger', protocol: 'tessenger' });
if (flags.only !== 'tessenger') {
  if (ngircd) servers.push({ name: 'ngIRCd', protocol: 'irc' });
  else console.log(NGIRCD_MISSING);
}

let serial = 0;
async function start(protocol: Protocol): Promise<RunningServer> {
  serial += 1;
  const sub = path.join(dir, `${protocol}-${serial}`);
  await mkdir(sub, { recursive: true });
  if (protocol === 'irc') return startNgircd(ngircd!, sub);
  const prof = flags['cpu-prof'] ? path.join(dir, 'cpu-prof') : undefined;
  const server = await startTessenger({
    dir: sub,
    credentials,
    ...(prof ? { cpuProfDir: prof } : {}),
  });
  if (serial === 1)
    console.log(`Tessenger on ${server.plain ? 'plain TCP (--insecure-plain)' : 'plain TCP'}`);
  return server;
}

function startWorkers(protocol: Protocol, port: number, total: number, size: number) {
  return WorkerGroup.start({ count: workerCount, protocol, port, total, width, groupSize: size });
}

console.log(
  `chat bench: ${clients} clients, groups of ${groupSize}, ${workerCount} generator processes, ` +
    `${timing.durationMs / 1000} s windows after ${timing.warmupMs / 1000} s warm-up; ` +
    `${os.cpus().length} cores shared by server and generators; load average ${loadAverage()}`,
);
console.log(`folder: ${dir}`);
const rates = { direct: Number(flags.rate), group: Number(flags['group-rate']) };
const phases = new Set(flags.phases.split(','));
const results: ServerResult[] = [];

for (const { name } of servers) results.push({ name });

// `--clients 0` skips the busy phases (logins, messages): only the idle phase runs.
for (const { name, protocol } of clients > 0 ? servers : []) {
  const result = results.find((r) => r.name === name)!;
  const server = await start(protocol);
  const workers = await startWorkers(protocol, server.port, clients, groupSize);
  try {
    const login = await loginPhase(workers, 16, clients);
    result.login = login;
    if (login.failures > 0) console.log(`${name} login failures:`, login.failures, login.samples);
    await groupSetup(workers);
    await settle(server.pid, 30_000);
    const run = (mode: 'direct' | 'group', rate: number) =>
      messagePhase({
        workers,
        pid: server.pid,
        mode,
        rate,
        window: Number(mode === 'direct' ? flags['window-direct'] : flags['window-group']),
        receivers: mode === 'direct' ? 1 : groupSize - 1,
        timing,
      });
    if (phases.has('direct')) {
      result.directSat = await run('direct', 0);
      console.log(
        `${name} direct saturation done (${Math.round(result.directSat.messagesPerSec)}/s)`,
      );
    }
    if (phases.has('group')) {
      result.groupSat = await run('group', 0);
      console.log(
        `${name} group saturation done (${Math.round(result.groupSat.messagesPerSec)}/s)`,
      );
    }
    // The fixed rate is half of Tessenger's saturation (the latency target's load), offered to
    // both servers alike; a server measured alone uses half of its own.
    if (result.directSat && rates.direct === 0) rates.direct = result.directSat.messagesPerSec / 2;
    if (result.groupSat && rates.group === 0) rates.group = result.groupSat.messagesPerSec / 2;
    if (phases.has('direct')) result.directRate = await run('direct', rates.direct);
    if (phases.has('group')) result.groupRate = await run('group', rates.group);
    result.peakRssMiB = memoryKiB(server.pid).peak / 1024;
    for (const phase of [result.directSat, result.groupSat, result.directRate, result.groupRate]) {
      if (phase && phase.failures > 0)
        console.log(`${name} failures:`, phase.failures, phase.failureSamples);
    }
  } finally {
    await workers.stop();
    await server.stop();
  }
  console.log(`${name} done; load average ${loadAverage()}`);
}

// Printed now as well, in case the idle phase is interrupted.
if (idleCount > 0) console.log(`\n${formatTable(results, rates, 0)}\n`);

if (idleCount > 0) {
  for (const { name, protocol } of servers) {
    const result = results.find((r) => r.name === name)!;
    const server = await start(protocol);
    const workers = await startWorkers(protocol, server.port, idleCount, idleCount + 1);
    try {
      // RSS per connection: the server process's VmRSS once quiet after all logins, minus its
      // VmRSS once quiet before the first, over the connections. No GC is forced: garbage the
      // logins left and the heap's growth count, as they would in production.
      await settle(server.pid, 5000);
      const before = memoryKiB(server.pid).rss;
      const login = await loginPhase(workers, 64, idleCount);
      // Wait until the server is quiet (log files, last-seen writes) before reading its RSS.
      await settle(server.pid, 120_000);
      const after = memoryKiB(server.pid).rss;
      result.idle = {
        connections: idleCount,
        perConnKiB: (after - before) / idleCount,
        rssMiB: after / 1024,
        loginsPerSec: login.perSec,
        failures: login.failures,
      };
      if (login.failures > 0) console.log(`${name} idle failures:`, login.failures, login.samples);
    } finally {
      await workers.stop();
      await server.stop();
    }
    console.log(`${name} idle done; load average ${loadAverage()}`);
  }
}

console.log('');
console.log(formatTable(results, rates, idleCount));
console.log(`\nload average at the end: ${loadAverage()}`);
await writeFile(path.join(dir, 'results.json'), JSON.stringify({ flags, rates, results }, null, 2));
if (flags.keep) console.log(`kept ${dir}`);
else await rm(dir, { recursive: true, force: true });
