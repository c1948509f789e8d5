/**
 * One writer per file: every append or rewrite is queued behind the previous one, so lines
 * never interleave and a rewrite never races an append. No sync I/O on the request path.
 */
import { appendFile, rename, writeFile } from 'node:fs/promises';

export class SerialFileWriter {
  /** Never rejects: each queued operation's failure goes to its own caller only. */
  private tail: Promise<void> = Promise.resolve();
  private tmpSeq = 0;

  constructor(readonly path: string) {}

  /** Appends text as is; resolves once it is in the file. */
  append(text: string): Promise<void> {
    return this.enqueue(() => appendFile(this.path, text, 'utf8'));
  }

  /**
   * Replaces the whole file. Written to a temporary file and renamed, so a reader (or a
   * crash) sees either the old or the new content, never half of it.
   */
  rewrite(text: string): Promise<void> {
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
