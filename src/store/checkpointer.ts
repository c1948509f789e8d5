/**
 * WAL checkpoints in a worker thread, on a connection of their own. A checkpoint copies the
 * WAL's pages into the database file and fsyncs both: with SQLite's automatic checkpoint on
 * the serving connection that ran inside a commit, on the event loop, and stalled every
 * message for 40-70 ms about once a second under load (docs/PERFORMANCE.md, section 5).
 * PASSIVE checkpoints never block the writer; once one has copied the whole WAL, the writer's
 * next transaction starts the WAL over from its beginning, so the file stays bounded.
 *
 * The worker is plain CommonJS given as text (`eval`), so the same code runs from the
 * compiled server and from the TypeScript sources under the test runner.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often a caught-up checkpointer looks again; a checkpointer behind goes on at once. */
export const CHECKPOINT_INTERVAL_MS = 100;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
// NORMAL: the checkpoint syncs the WAL before copying and the database after.
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 0');
let stopping = false;
let passes = 0;
let timer = null;
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  stopping = true;
  if (timer !== null) clearTimeout(timer);
  finish();
});
function finish() {
  db.close();
  parentPort.postMessage({ passes });
  parentPort.close();
}
function pass() {
  timer = null;
  if (stopping) return;
  let behind = false;
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    passes += 1;
    behind = row.busy === 0 && row.checkpointed < row.log;
  } catch {
    // Busy or locked for a moment: the next pass tries again.
  }
  timer = setTimeout(pass, behind ? 0 : workerData.intervalMs);
}
timer = setTimeout(pass, workerData.intervalMs);
`;

/** A running checkpointer for one database file. */
export class Checkpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private passesValue = 0;

  constructor(file: string, intervalMs: number = CHECKPOINT_INTERVAL_MS) {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, module, intervalMs },
    });
    this.worker.on('message', (m: { passes: number }) => {
      this.passesValue = m.passes;
    });
    // A worker that fails only costs the off-loop checkpoints; the serving connection's own
    // automatic checkpoint (kept as a backstop) bounds the WAL all the same.
    this.worker.on('error', () => {});
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    // Never what keeps a process alive: the store's close stops it.
    this.worker.unref();
  }

  /** Checkpoint passes made, known after stop (for tests). */
  get passes(): number {
    return this.passesValue;
  }

  /** Stops after the pass in progress and closes the worker's connection. */
  async stop(): Promise<void> {
    // Referenced again while it stops: a process with nothing else left to do would otherwise
    // exit before the worker's exit event, leaving the close (and a top-level await) unfinished.
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.exited;
  }
}
