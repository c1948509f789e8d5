/**
 * Output batching: every frame a connection is sent during one event-loop turn goes out in
 * one socket write at the end of the turn (setImmediate), instead of one system call and one
 * Buffer per frame. A group message to 99 members, or a burst of them committed together,
 * then costs each receiver one write. Order is kept: frames are joined in the order written.
 */
import type { Socket } from 'node:net';

/** Flushed at once when a turn has queued this much, so the queue itself stays bounded. */
const FLUSH_CHARS = 256 * 1024;

/** One socket's pending output. */
export class BatchedWriter {
  /**
   * The turn's frames joined as they come: one frame is written as it is; several make a
   * rope that the write flattens once (no array, no join per turn).
   */
  private pending = '';
  /** In `dirty`, waiting for the end of the turn. */
  queued = false;

  constructor(
    private readonly socket: Socket,
    /** Called after each socket write (the session checks its output cap there). */
    private readonly afterWrite: () => void,
  ) {}

  /** Queues a frame's text for the end of this turn. */
  write(text: string): void {
    if (!this.queued) schedule(this);
    this.pending = this.pending === '' ? text : this.pending + text;
    if (this.pending.length >= FLUSH_CHARS) this.flush();
  }

  /** Writes what is queued now (before an end, or when the turn is over). */
  flush(): void {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    if (!this.socket.writable) return;
    this.socket.write(text);
    this.afterWrite();
  }
}

/**
 * Writers with output queued this turn; one setImmediate flushes them all. Module-level on
 * purpose: the batch is per turn of the process's one event loop, so every server in the
 * process (tests run several) shares the one flush. Safe: each writer flushes to its own
 * socket, a writer is queued at most once (its `queued` flag), and the list is empty again at
 * the end of each turn, so nothing outlives a turn or crosses between owners.
 */
let dirty: BatchedWriter[] = [];
let scheduled = false;

function schedule(writer: BatchedWriter): void {
  writer.queued = true;
  dirty.push(writer);
  if (scheduled) return;
  scheduled = true;
  setImmediate(flushAll);
}

function flushAll(): void {
  scheduled = false;
  // Writers that queue more while this runs (none do today) land in the next turn's batch.
  const writers = dirty;
  dirty = [];
  for (const writer of writers) {
    writer.queued = false;
    writer.flush();
  }
}
