/**
 * Group commit: every write asked for in one event-loop turn runs in one transaction, so
 * one fsync makes a whole burst of messages durable. Each write's promise settles only
 * after its transaction commits.
 */

/** One write: runs synchronously inside the transaction and returns its result. */
type Operation = () => unknown;

interface Queued {
  run: Operation;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Runs `body` inside one transaction (the store's `db.transaction(...)`). */
export type TransactionRunner = (body: () => void) => void;

export class GroupCommit {
  private pending: Queued[] = [];
  private scheduled = false;
  /** Commits performed and operations in them, for benchmarks and tests. */
  readonly stats = { commits: 0, operations: 0 };

  constructor(private readonly transaction: TransactionRunner) {}

  /** Queues a write for the current batch; resolves with its result once committed. */
  run<T>(op: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run: op, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: requests that arrived in the same socket read (and
        // in other sockets' reads of this turn) join the batch.
        setImmediate(() => this.commit());
      }
    });
  }

  /** Commits whatever is pending now (used on close). */
  flush(): void {
    if (this.pending.length > 0) this.commit();
  }

  private commit(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const results: unknown[] = [];
    try {
      this.transaction(() => {
        for (const op of batch) results.push(op.run());
      });
    } catch {
      // One bad write must not fail its neighbours: replay them one transaction each, so
      // only the write that throws is refused.
      for (const op of batch) this.runAlone(op);
      return;
    }
    this.stats.commits += 1;
    this.stats.operations += batch.length;
    batch.forEach((op, i) => {
      op.resolve(results[i]);
    });
  }

  private runAlone(op: Queued): void {
    let result: unknown;
    try {
      this.transaction(() => {
        result = op.run();
      });
    } catch (err) {
      op.reject(err);
      return;
    }
    this.stats.commits += 1;
    this.stats.operations += 1;
    op.resolve(result);
  }
}
