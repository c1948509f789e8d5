/**
 * `npm run bench:chat -- --redis`: the chat bench's load against three set-ups in one run,
 * interleaved over rounds: one node on SQLite (today's default), one node on Redis, and three
 * nodes on one Redis (users spread round-robin over the nodes). Redis runs with the append-only
 * file fsynced on every write, as the cluster's durability needs. For each: direct messages/s
 * and group deliveries/s at saturation, p50/p99 at half of saturation, and CPU microseconds per
 * message at that rate of every server process and of redis-server, from /proc (the load
 * generator's share does not count). Then a dead node: the time until its users are signed in
 * again on another node (docs/CLUSTER.md).
 *
 *   npm run bench:chat -- --redis --clients 500 --duration 5 --rounds 3
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startRedis } from '../test/helpers/redis-server.js';
import { groupSetup, loginPhase, messagePhase, type PhaseResult, settle } from './load/phases.js';
import { passwordOf, userName } from './load/plan.js';
import { loadAverage } from './load/proc-stats.js';
import { startTessenger } from './load/tessenger-server.js';
import { WorkerGroup } from './load/workers.js';

const { values: flags } = parseArgs({
  args: process.argv.slice(3).filter((a) => a !== '--redis'),
  options: {
    clients: { type: 'string', default: '500' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    'group-size': { type: 'string', default: '50' },
    'window-direct': { type: 'string', default: '4' },
    'window-group': { type: 'string', default: '1' },
    workers: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    'failover-users': { type: 'string', default: '100' },
    keep: { type: 'boolean', default: false },
  },
});

const clients = Number(flags.clients);
const groupSize = Number(flags['group-size']);
const rounds = Number(flags.rounds);
const timing = {
  warmupMs: Number(flags.warmup) * 1000,
  durationMs: Number(flags.duration) * 1000,
  drainMs: 500,
};
const width = Math.max(4, String(clients - 1).length);
const dir = await mkdtemp(path.join(os.tmpdir(), 'tessenger-cluster-bench-'));
const credentials = path.join(dir, 'credentials.txt');
await writeFile(
  credentials,
  Array.from({ length: clients }, (_, i) => `${userName(i, width)} ${passwordOf(i, width)}\n`).join(
    '',
  ),
);

type SetupName = 'SQLite, 1 node' | 'Redis, 1 node' | 'Redis, 3 nodes';
const SETUPS: Array<{ name: SetupName; nodes: number; redis: boolean }> = [
  { name: 'SQLite, 1 node', nodes: 1, redis: false },
  { name: 'Redis, 1 node', nodes: 1, redis: true },
  { name: 'Redis, 3 nodes', nodes: 3, redis: true },
];

interface Row {
  directSat: number;
  groupSatDeliveries: number;
  directP50: number;
  directP99: number;
  groupP50: number;
  groupP99: number;
  /** CPU us per direct message at half saturation: each node, then redis-server. */
  directUs: number[];
  groupUs: number[];
  failures: number;
}

/** CPU microseconds per message of each measured process: % of a core / messages per second. */
function usPerMessage(phase: PhaseResult): number[] {
  const rate = phase.messagesPerSec;
  return [phase.cpuPct, ...phase.extraCpuPct].map((pct) =>
    rate > 0 ? (pct / 100 / rate) * 1e6 : 0,
  );
}

let serial = 0;
async function runSetup(setup: (typeof SETUPS)[number]): Promise<Row> {
  serial += 1;
  const sub = path.join(dir, `run-${serial}`);
  await mkdir(sub, { recursive: true });
  const redis = setup.redis ? await startRedis() : null;
  const servers = [];
  try {
    for (let n = 0; n < setup.nodes; n++) {
      const nodeDir = path.join(sub, `node-${n + 1}`);
      await mkdir(nodeDir, { recursive: true });
      servers.push(
        await startTessenger({
          dir: nodeDir,
          credentials,
          ...(redis ? { cluster: { url: redis.url, nodeId: `bench-${n + 1}` } } : {}),
        }),
      );
    }
    const ports = servers.map((s) => s.port);
    const workers = await WorkerGroup.start({
      count: Number(flags.workers),
      protocol: 'tessenger',
      port: ports[0]!,
      ...(ports.length > 1 ? { ports } : {}),
      total: clients,
      width,
      groupSize,
    });
    const pid = servers[0]!.pid;
    const extraPids = [...servers.slice(1).map((s) => s.pid), ...(redis ? [redis.pid] : [])];
    try {
      const login = await loginPhase(workers, 16, clients);
      if (login.failures > 0) console.log(`${setup.name} login failures:`, login.samples);
      await groupSetup(workers);
      for (const s of servers) await settle(s.pid, 20_000);
      const run = (mode: 'direct' | 'group', rate: number) =>
        messagePhase({
          workers,
          pid,
          extraPids,
          mode,
          rate,
          window: Number(mode === 'direct' ? flags['window-direct'] : flags['window-group']),
          receivers: mode === 'direct' ? 1 : groupSize - 1,
          timing,
        });
      const directSat = await run('direct', 0);
      const groupSat = await run('group', 0);
      const directHalf = await run('direct', directSat.messagesPerSec / 2);
      const groupHalf = await run('group', groupSat.messagesPerSec / 2);
      const failures = [directSat, groupSat, directHalf, groupHalf].reduce(
        (s, p) => s + p.failures,
        login.failures,
      );
      return {
        directSat: directSat.messagesPerSec,
        groupSatDeliveries: groupSat.deliveriesPerSec,
        directP50: directHalf.p50,
        directP99: directHalf.p99,
        groupP50: groupHalf.p50,
        groupP99: groupHalf.p99,
        directUs: usPerMessage(directHalf),
        groupUs: usPerMessage(groupHalf),
        failures,
      };
    } finally {
      await workers.stop();
    }
  } finally {
    for (const s of servers) await s.stop();
    await redis?.close();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

console.log(
  `cluster chat bench: ${clients} clients, groups of ${groupSize}, ${flags.workers} generator processes, ` +
    `${rounds} interleaved rounds of ${timing.durationMs / 1000} s windows; ${os.cpus().length} cores ` +
    `shared by every server, redis-server and the generators; load average ${loadAverage()}`,
);
const rows = new Map<SetupName, Row[]>(SETUPS.map((s) => [s.name, []]));
const failovers: number[] = [];
for (let round = 1; round <= rounds; round++) {
  for (const setup of SETUPS) {
    const row = await runSetup(setup);
    rows.get(setup.name)!.push(row);
    console.log(
      `round ${round} ${setup.name}: direct ${Math.round(row.directSat)}/s, group ${Math.round(row.groupSatDeliveries)} deliveries/s, ` +
        `direct ${sum(row.directUs).toFixed(1)} us/msg, group ${sum(row.groupUs).toFixed(1)} us/msg; load ${loadAverage()}`,
    );
  }
}

const fmt = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const base = rows.get('SQLite, 1 node')!;
const baseDirect = median(base.map((r) => sum(r.directUs)));
const baseGroup = median(base.map((r) => sum(r.groupUs)));
console.log('');
console.log(
  '| set-up | direct msgs/s | group deliveries/s | direct p50/p99 ms at ½ | group p50/p99 ms at ½ | CPU us per direct msg (nodes + redis) | ratio | CPU us per group msg | ratio |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const setup of SETUPS) {
  const rs = rows.get(setup.name)!;
  const m = (pick: (r: Row) => number) => median(rs.map(pick));
  const parts = (pick: (r: Row) => number[]) => {
    const n = pick(rs[0]!).length;
    return Array.from({ length: n }, (_, i) =>
      fmt(
        m((r) => pick(r)[i] ?? 0),
        1,
      ),
    ).join(' + ');
  };
  const direct = m((r) => sum(r.directUs));
  const group = m((r) => sum(r.groupUs));
  console.log(
    `| ${setup.name} | ${fmt(m((r) => r.directSat))} | ${fmt(m((r) => r.groupSatDeliveries))} | ` +
      `${fmt(
        m((r) => r.directP50),
        2,
      )} / ${fmt(
        m((r) => r.directP99),
        2,
      )} | ${fmt(
        m((r) => r.groupP50),
        2,
      )} / ${fmt(
        m((r) => r.groupP99),
        2,
      )} | ` +
      `${parts((r) => r.directUs)} = ${fmt(direct, 1)} | ${fmt(direct / baseDirect, 2)}x | ` +
      `${parts((r) => r.groupUs)} = ${fmt(group, 1)} | ${fmt(group / baseGroup, 2)}x |`,
  );
}
const failureCount = sum([...rows.values()].flat().map((r) => r.failures));
console.log(
  `\nA dead node's ${flags['failover-users']} users signed in again on another node: median ${fmt(median(failovers), 2)} s ` +
    `(rounds: ${failovers.map((s) => s.toFixed(2)).join(', ')}); goal <= 5 s.`,
);
console.log(`failures: ${failureCount}; load average at the end: ${loadAverage()}`);
await writeFile(
  path.join(dir, 'results.json'),
  JSON.stringify({ flags, rows: [...rows], failovers }, null, 2),
);
if (flags.keep) console.log(`kept ${dir}`);
else await rm(dir, { recursive: true, force: true });
