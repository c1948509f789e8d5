/**
 * One writer per file: appends and rewrites run in the order asked for, so lines never
 * interleave and a rewrite never races an append.
 *
 * Everything asked for in one synchronous stretch (one microtask drain: e.g. every message of
 * a committed batch, whose handlers all resume together) goes out together at the end of it,
 * consecutive appends as one write. The write is synchronous: one open, write and close of
 * page cache per batch, a few microseconds, where the thread pool would cost three round
 * trips, each waiting for a busy event loop (under load that was several loop turns added to
 * every message's latency). There is no fsync here: the database, written and flushed first,
 * is what makes a message durable, and a log file that lost its last lines in a crash is
 * completed from it at start-up (log-repair.ts). Opening per batch means a file an operator
 * moves away is created afresh by the next append. A rewrite (a temporary file renamed over
 * the old one) goes through the thread pool: ext4 flushes a file renamed over another, which
 * takes milliseconds; appends asked for meanwhile wait for it, in order.
 */
import { appendFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

type Operation =
  | { kind: 'append'; texts: string[]; waiters: Waiter[] }
  | { kind: 'rewrite'; text: string | (() => string); waiters: Waiter[] }
  | { kind: 'barrier'; waiters: Waiter[] };

export class SerialFileWriter {
  private queue: Operation[] = [];
  /** The queue is being worked through (possibly waiting for a rewrite). */
  private running = false;
  private tmpSeq = 0;

  constructor(readonly path: string) {}

  /** Appends text as is; resolves once it is in the file. */
  append(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const last = this.queue[this.queue.length - 1];
      if (last?.kind === 'append') {
        last.texts.push(text);
        last.waiters.push({ resolve, reject });
        return;
      }
      this.add({ kind: 'append', texts: [text], waiters: [{ resolve, reject }] });
    });
  }

  /**
   * Replaces the whole file. Written to a temporary file and renamed, so a reader (or a
   * crash) sees either the old or the new content, never half of it. `text` may be a function,
   * called when the rewrite starts (after the writes queued before it).
   */
  rewrite(text: string | (() => string)): Promise<void> {
    return new Promise((resolve, reject) => {
      this.add({ kind: 'rewrite', text, waiters: [{ resolve, reject }] });
    });
  }

  /** Resolves when every write asked for so far has settled (failed ones included). */
  flush(): Promise<void> {
    if (this.queue.length === 0 && !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      this.add({ kind: 'barrier', waiters: [{ resolve, reject: () => resolve() }] });
    });
  }

  private add(op: Operation): void {
    if (this.queue.length === 0 && !this.running) queueMicrotask(() => void this.run());
    this.queue.push(op);
  }

  private async run(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const op = this.queue.shift()!;
      try {
        if (op.kind === 'append') appendFileSync(this.path, op.texts.join(''), 'utf8');
        else if (op.kind === 'rewrite') await this.replace(op.text);
      } catch (err) {
        // Each failure goes to the callers of that write only; the next one runs regardless.
        for (const w of op.waiters) w.reject(err);
        continue;
      }
      for (const w of op.waiters) w.resolve();
    }
    this.running = false;
  }

  private async replace(text: string | (() => string)): Promise<void> {
    // A function is called only now, when the rewrite's turn comes: the newest content.
    const body = typeof text === 'function' ? text() : text;
    this.tmpSeq += 1;
    const tmp = `${this.path}.${process.pid}.${this.tmpSeq}.tmp`;
    await writeFile(tmp, body, 'utf8');
    await rename(tmp, this.path);
  }
}
