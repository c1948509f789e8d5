/**
 * A node dies with `kill -9` (and its users' machines with it): the other nodes show its
 * users offline within the heartbeat's lifetime and sign each out exactly once, by one node.
 * Restarted under the same id and folder, the node repairs its log files from Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliProcess } from '../helpers/cli-process.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { command } from '../helpers/plain-command.js';

let cluster: TestCluster;
let hans: CliProcess; // node 1
let obiwan: CliProcess; // node 2
let vader: CliProcess; // node 3, dies with it
let goneAfterMs = 0;

beforeAll(async () => {
  cluster = await startCluster(3);
  hans = await cluster.login(0, 'Hans');
  obiwan = await cluster.login(1, 'obiwan');
  vader = await cluster.login(2, 'vader');
  // Contacts: vader's logout is told to Hans (they talked) and obiwan (they share a group).
  await command(vader, '/msgto Hans hello from node three');
  await hans.waitFor('vader: hello from node three');
  await command(vader, '/creategroup sith obiwan');
  await obiwan.waitFor('vader added you to group chat sith.');
  expect(await command(hans, '/activeuser')).toContain('vader, 127.0.0.1');

  const killedAt = Date.now();
  vader.kill('SIGKILL');
  await cluster.killNode(2);
  await vader.exited;
  for (;;) {
    if (!(await command(hans, '/activeuser')).includes('vader,')) break;
    if (Date.now() - killedAt > 20_000) throw new Error('vader still online after 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  goneAfterMs = Date.now() - killedAt;
  await hans.waitFor('vader logged out.');
  await obiwan.waitFor('vader logged out.');
}, 90_000);

afterAll(async () => {
  await cluster?.close();
});

describe('kill -9 of a node', () => {
  it("shows the dead node's users offline within the heartbeat lifetime (3 s) and a check", () => {
    // Lifetime 3 s + one check period 1 s + the /activeuser poll; generous for a busy machine.
    expect(goneAfterMs).toBeLessThan(10_000);
  });

  it('signs them out once, on one node', async () => {
    // Give a second reaper time to (wrongly) repeat it.
    await new Promise((r) => setTimeout(r, 3000));
    const lines = [cluster.nodes[0]!.proc.stdout, cluster.nodes[1]!.proc.stdout]
      .join('\n')
      .split('\n')
      .filter((l) => /^vader logout/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('server node n3 is gone');
    expect(hans.count('vader logged out.')).toBe(1);
    expect(obiwan.count('vader logged out.')).toBe(1);
  });

  it('lets the user sign in again on another node at once', async () => {
    const again = await cluster.login(0, 'vader');
    expect(await command(again, '/activeuser')).toContain('Hans, 127.0.0.1');
    const from = hans.stdout.length;
    await command(again, '/msgto Hans back on node one');
    await hans.waitFor('vader: back on node one', { from });
  });

  it('restarted under the same id, repairs its log and numbering stays continuous', async () => {
    await cluster.startNode(2);
    const numbers: number[] = [];
    for (let i = 0; i < 3; i++) {
      for (const line of (await cluster.readLog(i, 'messagelog.txt')).split('\n')) {
        if (line) numbers.push(Number(line.split('; ')[0]));
      }
    }
    numbers.sort((x, y) => x - y);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });
});
