/**
 * Redis itself crashes (`kill -9`, append-only file fsynced on every write) in the middle of
 * traffic between two nodes, and comes back on the same port and folder. Nothing a sender saw
 * acknowledged is lost; while Redis is away senders are told their message was not sent
 * (never acknowledged), and the nodes carry on by themselves once it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliProcess } from '../helpers/cli-process.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { command, TS } from '../helpers/plain-command.js';

let cluster: TestCluster;
let yoda: CliProcess;
let obiwan: CliProcess;
const BURST = 300;
const KILL_AFTER = 40;
const ack = new RegExp(`^message sent at ${TS}\\.$`, 'gm');
const refused = /^message not sent: .*$/gm;
let acked: string[] = [];
let refusedCount = 0;

beforeAll(async () => {
  cluster = await startCluster(2);
  yoda = await cluster.login(0, 'Yoda');
  obiwan = await cluster.login(1, 'obiwan');
  const from = yoda.stdout.length;
  const texts = Array.from({ length: BURST }, (_, i) => `crash-${i + 1}`);
  yoda.line(texts.map((t) => `/msgto obiwan ${t}`).join('\n'));
  const deadline = Date.now() + 60_000;
  while ((yoda.stdout.slice(from).match(ack) ?? []).length < KILL_AFTER) {
    if (Date.now() > deadline) throw new Error(`the burst did not get going: ${yoda.stdout}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await cluster.redis.kill();
  // Long enough for some of the burst to meet a Redis that is not there.
  const refusedBy = Date.now() + 20_000;
  while ((yoda.stdout.slice(from).match(refused) ?? []).length === 0 && Date.now() < refusedBy) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await cluster.redis.start();
  // Every line of the burst answered, one way or the other.
  const done = Date.now() + 60_000;
  for (;;) {
    const out = yoda.stdout.slice(from);
    const answered = (out.match(ack) ?? []).length + (out.match(refused) ?? []).length;
    if (answered >= BURST) break;
    if (Date.now() > done)
      throw new Error(`the burst did not finish: ${answered}\n${out.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // Which texts were acknowledged: the client answers its lines in order.
  const answers = yoda.stdout
    .slice(from)
    .split('\n')
    .filter((l) => ack.test(l) || /^message not sent: /.test(l));
  ack.lastIndex = 0;
  acked = texts.filter((_, i) => /^message sent at/.test(answers[i] ?? ''));
  refusedCount = answers.filter((l) => l.startsWith('message not sent: ')).length;
}, 180_000);

afterAll(async () => {
  await cluster?.close();
});

describe('kill -9 of redis-server with AOF on, restarted', () => {
  it('refused messages while Redis was away, with a clear text, and took them again after', () => {
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(refusedCount).toBeGreaterThan(0);
    expect(acked.length + refusedCount).toBe(BURST);
    // Some of the burst went through again once Redis was back.
    expect(acked).toContain(`crash-${BURST}`);
    expect(yoda.stdout).not.toContain('Internal server error');
  });

  it('lost nothing acknowledged: each is in the history exactly once', async () => {
    const history = (await command(obiwan, `/history Yoda ${BURST + 10}`)).split('\n');
    for (const t of acked) {
      expect(history.filter((l) => l.endsWith(` ${t}`)).length, t).toBe(1);
    }
  });
});
