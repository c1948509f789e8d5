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
  private pending: string[] = [];
  private pendingChars = 0;

  constructor(
    private readonly socket: Socket,
    /** Called after each socket write (the session checks its output cap there). */
    private readonly afterWrite: () => void,
  ) {}

  /** Queues a frame's text for the end of this turn. */
  write(text: string): void {
    if (this.pending.length === 0) schedule(this);
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= FLUSH_CHARS) this.flush();
  }

  /** Writes what is queued now (before an end, or when the turn is over). */
  flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    if (!this.socket.writable) return;
    this.socket.write(text);
    this.afterWrite();
  }
}

/** Writers with output queued this turn; one setImmediate flushes them all. */
const dirty = new Set<BatchedWriter>();
let scheduled = false;

function schedule(writer: BatchedWriter): void {
  dirty.add(writer);
  if (scheduled) return;
  scheduled = true;
  setImmediate(flushAll);
}

function flushAll(): void {
  scheduled = false;
  // Writers that queue more while this runs (none do today) land in the next turn's batch.
  const writers = [...dirty];
  dirty.clear();
  for (const writer of writers) writer.flush();
}
