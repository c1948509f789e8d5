/**
 * One writer per file: every append or rewrite is queued behind the previous one, so lines
 * never interleave and a rewrite never races an append. No sync I/O on the request path.
 * Appends that queue up while a write is in progress go out together in one appendFile, so
 * a burst of messages costs a few system calls, not one open/write/close per line.
 */
import { appendFile, rename, writeFile } from 'node:fs/promises';

export class SerialFileWriter {
  /** Never rejects: each queued operation's failure goes to its own caller only. */
  private tail: Promise<void> = Promise.resolve();
  private tmpSeq = 0;
  /** The queued append that has not started yet: later appends join it. */
  private batch: { texts: string[]; done: Promise<void> } | null = null;

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
      await appendFile(this.path, batch.texts.join(''), 'utf8');
    });
    return batch.done;
  }

  /**
   * Replaces the whole file. Written to a temporary file and renamed, so a reader (or a
   * crash) sees either the old or the new content, never half of it.
   */
  rewrite(text: string): Promise<void> {
    // Appends asked for after this rewrite must land after it, not join an earlier batch.
    this.batch = null;
    return this.enqueue(async () => {
      this.tmpSeq += 1;
      const tmp = `${this.path}.${process.pid}.${this.tmpSeq}.tmp`;
      await writeFile(tmp, text, 'utf8');
      await rename(tmp, this.path);
    });
  }

  /** Resolves when every write queued so far has settled (failed ones included). */
  flush(): Promise<void> {
    return this.tail;
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.tail.then(op);
    // A failed write must not wedge the queue: the next one runs regardless.
    this.tail = run.catch(() => undefined);
    return run;
  }
}
