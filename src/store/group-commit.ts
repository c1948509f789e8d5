/**
 * Group commit: writes run in batches, one transaction per batch, and each write's promise
 * settles only once its transaction is durable.
 *
 * With a `sync` (the on-disk store), durability is a separate step off the event loop: the
 * transaction commits without an fsync (SQLite WAL, `synchronous = NORMAL`: the WAL is
 * written, and kept consistent, but not flushed), then `sync` flushes the WAL in the thread
 * pool while the event loop goes on parsing, routing and writing sockets. Writes asked for
 * while a flush is in progress wait for it, then commit together and are flushed together: a
 * commit starts as soon as the previous flush ends, not on a timer, and no write waits for
 * more than the flush in progress plus its own. Without a `sync` (an in-memory database),
 * a write settles when its transaction commits.
 */

/** One write: runs synchronously inside the transaction and returns its result. */
type Operation = () => unknown;

interface Queued {
  run: Operation;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A write that ran, waiting for its flush: the result (or error) to settle it with. */
interface Done {
  op: Queued;
  ok: boolean;
  value: unknown;
}

/** Runs `body` inside one transaction (the store's `db.transaction(...)`). */
export type TransactionRunner = (body: () => void) => void;

/** Makes every transaction committed so far durable; resolves when it is on disk. */
export type Sync = () => Promise<void>;

export interface GroupCommitOptions {
  /**
   * Maps a failure that is not one write's fault (the disk is full) to the error every write
   * of the batch is refused with; null for any other failure. Such a batch is rolled back
   * whole and not replayed write by write: nothing of it is stored.
   */
  refusal?: (err: unknown) => Error | null;
  /** Called after each batch that committed (and, with a `sync`, is durable). */
  committed?: () => void;
}

export class GroupCommit {
  private pending: Queued[] = [];
  /** A batch is scheduled or being flushed: new writes wait for the next batch. */
  private busy = false;
  /** Resolves when the batch in progress has settled (close waits for it). */
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};
  /** Commits performed and operations in them, for benchmarks and tests. */
  readonly stats = { commits: 0, operations: 0, syncs: 0 };

  constructor(
    private readonly transaction: TransactionRunner,
    private readonly sync: Sync | null = null,
    private readonly options: GroupCommitOptions = {},
  ) {}

  /** Queues a write for the next batch; resolves with its result once durable. */
  run<T>(op: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run: op, resolve: resolve as (v: unknown) => void, reject });
      if (!this.busy) this.schedule();
    });
  }

  /** Resolves once every write asked for so far has settled (used on close). */
  async drain(): Promise<void> {
    while (this.busy) await this.idle;
  }

  private schedule(): void {
    this.busy = true;
    this.idle = new Promise((resolve) => {
      this.markIdle = resolve;
    });
    // setImmediate, not a microtask: requests that arrived in the same socket read (and in
    // other sockets' reads of this turn) join the batch.
    setImmediate(() => {
      void this.cycle().then(() => this.next());
    });
  }

  /** After a batch: the writes that queued up during its flush go next, at once. */
  private next(): void {
    this.busy = false;
    this.markIdle();
    if (this.pending.length > 0) this.schedule();
  }

  /** Commits the pending writes, flushes them and settles their promises. */
  private async cycle(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const done = this.commit(batch);
    if (this.sync !== null) {
      try {
        await this.sync();
        this.stats.syncs += 1;
      } catch (err) {
        // Committed, but not known to be on disk: nobody may be told it is. (Unlike a refused
        // commit, the rows are in the database: a restart's log repair writes them out.)
        const refused = this.options.refusal?.(err) ?? err;
        for (const d of done) d.op.reject(refused);
        return;
      }
    }
    if (done.some((d) => d.ok)) {
      try {
        this.options.committed?.();
      } catch {
        // A listener's failure must not stop the commits (or settle no write of this batch).
      }
    }
    for (const d of done) {
      if (d.ok) d.op.resolve(d.value);
      else d.op.reject(d.value);
    }
  }

  private commit(batch: Queued[]): Done[] {
    const results: unknown[] = [];
    try {
      this.transaction(() => {
        for (const op of batch) results.push(op.run());
      });
    } catch (err) {
      // The transaction was rolled back whole. A full disk refuses every write of it alike.
      const refused = this.options.refusal?.(err) ?? null;
      if (refused !== null) return batch.map((op) => ({ op, ok: false, value: refused }));
      // One bad write must not fail its neighbours: replay them one transaction each, so
      // only the write that throws is refused.
      return batch.map((op) => this.runAlone(op));
    }
    this.stats.commits += 1;
    this.stats.operations += batch.length;
    return batch.map((op, i) => ({ op, ok: true, value: results[i] }));
  }

  private runAlone(op: Queued): Done {
    let result: unknown;
    try {
      this.transaction(() => {
        result = op.run();
      });
    } catch (err) {
      return { op, ok: false, value: this.options.refusal?.(err) ?? err };
    }
    this.stats.commits += 1;
    this.stats.operations += 1;
    return { op, ok: true, value: result };
  }
}
