/**
 * One writer per file: every append or rewrite is queued behind the previous one, so lines
 * never interleave and a rewrite never races an append. No sync I/O on the request path.
 * Appends that queue up while a write is in progress go out together in one write, so a burst
 * of messages costs a few system calls. The file stays open between appends (one thread-pool
 * round trip per batch instead of open, write and close: under load each round trip waits for
 * a busy event loop); a quiet moment or a rewrite closes it.
 */
import { type FileHandle, open, rename, writeFile } from 'node:fs/promises';

export class SerialFileWriter {
  /** Never rejects: each queued operation's failure goes to its own caller only. */
  private tail: Promise<void> = Promise.resolve();
  private tmpSeq = 0;
  /** The queued append that has not started yet: later appends join it. */
  private batch: { texts: string[]; done: Promise<void> } | null = null;
  /** Open for appending while appends keep coming; null when quiet. */
  private handle: FileHandle | null = null;

  constructor(readonly path: string) {}

  /** Appends text as is; resolves once it is in the file. */
  append(text: string): Promise<void> {
    if (this.batch) {
      this.batch.texts.push(text);
      return this.batch.done;
    }
    const batch: { texts: string[]; done: Promise<void> } = {
      texts: [text],
      done: Promise.resolve(),
    };
    this.batch = batch;
    batch.done = this.enqueue(async () => {
      // From here on the batch is closed: what comes next waits for the following write.
      if (this.batch === batch) this.batch = null;
      this.handle ??= await open(this.path, 'a');
      await this.handle.appendFile(batch.texts.join(''), 'utf8');
      // Kept open only while appends queue up behind each other (a busy server), so a file
      // moved away by an operator is created afresh at the next quiet moment, as before.
      if (this.batch === null) await this.close();
    });
    return batch.done;
  }

  /**
   * Replaces the whole file. Written to a temporary file and renamed, so a reader (or a
   * crash) sees either the old or the new content, never half of it. `text` may be a function,
   * called when the rewrite starts (after the writes queued before it).
   */
  rewrite(text: string | (() => string)): Promise<void> {
    // Appends asked for after this rewrite must land after it, not join an earlier batch.
    this.batch = null;
    return this.enqueue(async () => {
      // A function is called only now, when the rewrite's turn comes: the newest content.
      const body = typeof text === 'function' ? text() : text;
      // The rename replaces the file: an open handle would keep appending to the old one.
      await this.close();
      this.tmpSeq += 1;
      const tmp = `${this.path}.${process.pid}.${this.tmpSeq}.tmp`;
      await writeFile(tmp, body, 'utf8');
      await rename(tmp, this.path);
    });
  }

  /** Resolves when every write queued so far has settled (failed ones included). */
  flush(): Promise<void> {
    return this.tail;
  }

  private async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.tail.then(op);
    // A failed write must not wedge the queue: the next one runs regardless.
    this.tail = run.catch(() => undefined);
    return run;
  }
}
