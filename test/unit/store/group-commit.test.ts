/**
 * Group commit with a flush step: a write settles only after the flush that follows its
 * commit, writes asked for during a flush go together in the next batch, and a failed flush
 * fails the writes it was to make durable.
 */
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../src/store/group-commit.js';

/** A flush the test finishes by hand, and a transaction runner that counts. */
function harness() {
  const flushes: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  let transactions = 0;
  const commits = new GroupCommit(
    (body) => {
      transactions += 1;
      body();
    },
    () =>
      new Promise<void>((resolve, reject) => {
        flushes.push({ resolve, reject });
      }),
  );
  return { commits, flushes, transactions: () => transactions };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('GroupCommit with a flush', () => {
  it('settles a write only once the flush after its commit is done', async () => {
    const { commits, flushes } = harness();
    let settled = false;
    const write = commits
      .run(() => 42)
      .then((v) => {
        settled = true;
        return v;
      });
    await turn();
    expect(flushes).toHaveLength(1);
    await turn();
    expect(settled).toBe(false);
    flushes[0]!.resolve();
    expect(await write).toBe(42);
  });

  it('commits the writes asked for during a flush together, after it', async () => {
    const { commits, flushes, transactions } = harness();
    const first = commits.run(() => 'a');
    await turn();
    const later = Array.from({ length: 20 }, (_, i) => commits.run(() => i));
    await turn();
    // Still one flush in progress: the 20 wait for it instead of committing on their own.
    expect(transactions()).toBe(1);
    expect(flushes).toHaveLength(1);
    flushes[0]!.resolve();
    expect(await first).toBe('a');
    await turn();
    await turn();
    expect(transactions()).toBe(2);
    expect(flushes).toHaveLength(2);
    flushes[1]!.resolve();
    expect(await Promise.all(later)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(commits.stats).toMatchObject({ commits: 2, operations: 21, syncs: 2 });
  });

  it('fails the writes of a batch whose flush fails, and goes on with the next', async () => {
    const { commits, flushes } = harness();
    const lost = commits.run(() => 1);
    await turn();
    flushes[0]!.reject(new Error('EIO'));
    await expect(lost).rejects.toThrow('EIO');
    const next = commits.run(() => 2);
    await turn();
    flushes[1]!.resolve();
    expect(await next).toBe(2);
  });

  it('drains: resolves once every write asked for has settled', async () => {
    const { commits, flushes } = harness();
    const write = commits.run(() => 'x');
    let drained = false;
    const drain = commits.drain().then(() => {
      drained = true;
    });
    await turn();
    expect(drained).toBe(false);
    flushes[0]!.resolve();
    await drain;
    expect(await write).toBe('x');
  });
});
