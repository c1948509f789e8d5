/**
 * `tessenger logs --redis URL`: the cluster's logs as one server's would read. Each node
 * writes the log lines of the events it handled; the shared store numbers them cluster-wide,
 * so this view, read from Redis itself, is the nodes' files merged: who is online on any node
 * (userlog), every direct message (messagelog) and every group's messages, in number order,
 * with a check that the numbering has no gap and no repeat.
 */

import { connectRedis } from '../server/cluster/redis-connection.js';
import { formatMessageLine } from '../server/logs/message-log.js';
import { formatUserLogLine } from '../server/logs/user-log.js';
import { openRedisStore } from '../store/redis-store.js';
import { formatLogLine, header } from './log-lines.js';

export interface ClusterLogsConfig {
  url: string;
  prefix?: string;
  /** Lines shown of each log (the last ones; 0 = all). */
  lines: number;
  colour: boolean;
}

/** Records read from Redis per round trip. */
const PAGE = 1000;

export async function runClusterLogs(
  config: ClusterLogsConfig,
  out: (text: string) => void = (t) => process.stdout.write(t),
  err: (text: string) => void = (t) => process.stderr.write(t),
): Promise<number> {
  let redis: Awaited<ReturnType<typeof connectRedis>>;
  try {
    redis = await connectRedis(config.url);
  } catch (e) {
    err(`${(e as Error).message}\n`);
    return 1;
  }
  const prefix = config.prefix ?? 'tsg:';
  try {
    const store = openRedisStore({ redis, prefix, nodeId: 'tessenger-logs' });
    const print = (title: string, kind: 'users' | 'messages' | 'group', lines: string[]) => {
      out(`${header(title, config.colour)}\n`);
      const shown = config.lines > 0 ? lines.slice(-config.lines) : lines;
      if (shown.length === 0) out('(empty)\n');
      for (const l of shown) out(`${formatLogLine(kind, l, config.colour)}\n`);
    };

    const online = Object.entries(await redis.hgetall(`${prefix}online`))
      .map(([username, json]) => ({ username, ...(JSON.parse(json) as OnlineEntry) }))
      .sort((a, b) => a.s - b.s);
    print(
      'userlog (who is online, every node)',
      'users',
      online.map((u, i) =>
        formatUserLogLine(i + 1, { username: u.username, since: u.s, address: u.a, udpPort: u.u }),
      ),
    );

    const direct: Array<{ n: number; line: string }> = [];
    for (let after = 0; ; ) {
      const page = await store.allDirectAfter(after, PAGE);
      for (const r of page)
        direct.push({ n: r.n, line: formatMessageLine(r.n, r.ts, r.to, r.text) });
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.n;
    }
    print(
      'messagelog (direct messages, every node)',
      'messages',
      direct.map((d) => d.line),
    );
    const problems: string[] = [];
    problems.push(
      ...gaps(
        'messagelog',
        direct.map((d) => d.n),
      ),
    );

    const { groups } = await store.load();
    for (const group of groups) {
      const rows: Array<{ n: number; line: string }> = [];
      for (let after = 0; ; ) {
        const page = await store.allGroupAfter(group.name, after, PAGE);
        for (const r of page)
          rows.push({ n: r.n, line: formatMessageLine(r.n, r.ts, r.from, r.text) });
        if (page.length < PAGE) break;
        after = page[page.length - 1]!.n;
      }
      print(
        `${group.name}_messagelog (group ${group.name}, every node)`,
        'group',
        rows.map((r) => r.line),
      );
      problems.push(
        ...gaps(
          `${group.name}_messagelog`,
          rows.map((r) => r.n),
        ),
      );
    }
    out(
      problems.length === 0
        ? 'Numbering: no gap and no repeat.\n'
        : `Numbering problems:\n${problems.map((p) => `  ${p}\n`).join('')}`,
    );
    return problems.length === 0 ? 0 : 2;
  } catch (e) {
    err(`Cannot read the cluster's logs from ${config.url}: ${(e as Error).message}\n`);
    return 1;
  } finally {
    redis.disconnect();
  }
}

interface OnlineEntry {
  i: string;
  a: string;
  u: number;
  s: number;
}

/** Where numbers 1..n are missing or repeated. */
function gaps(name: string, numbers: number[]): string[] {
  const out: string[] = [];
  let expected = 1;
  for (const n of numbers) {
    if (n < expected) out.push(`${name}: ${n} repeated`);
    else if (n > expected)
      out.push(`${name}: ${expected}${n - 1 > expected ? `-${n - 1}` : ''} missing`);
    expected = Math.max(expected, n + 1);
  }
  return out;
}
