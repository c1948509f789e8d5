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
 *
 * A failed append (ENOSPC on a full disk) leaves nothing in the file: what a short write put
 * there is cut off again. A numbered log keeps the failed text and writes it ahead of its next
 * append (`keepUnwritten`), so once there is space the file catches up in order, and until
 * then it is a prefix of the database, which is what the start-up repair completes.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { appendWhole } from '../util/append-whole.js';

/**
 * An append that did not reach the file (a full disk, say). The file holds nothing of it: a
 * write cut short is truncated away, so no torn line is left for the next one to glue onto.
 */
export class LogAppendError extends Error {
  constructor(
    readonly path: string,
    /** The text is kept and goes out ahead of the next append (`keepUnwritten`). */
    readonly kept: boolean,
    /**
     * The first failure since the file last had everything asked of it, or the one at which
     * too much was kept and the file stopped: worth a diagnostic line (given to one caller).
     */
    readonly opens: boolean,
    cause: unknown,
  ) {
    super(`${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'LogAppendError';
  }
}

interface Waiter<T = void> {
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

type Operation =
  | { kind: 'append'; texts: string[]; waiters: Array<Waiter<boolean>> }
  | { kind: 'rewrite'; text: string | (() => string); waiters: Waiter[] }
  | { kind: 'barrier'; waiters: Waiter[] };

export interface SerialFileWriterOptions {
  /**
   * Append-only files (the numbered logs): up to this many characters of failed appends are kept
   * and written, in order, ahead of the next append, so the file stays a gap-free prefix of
   * what was asked. Beyond it the kept text is dropped and so is every later append: the file
   * stays a prefix, which the start-up log repair completes from the database. 0: failed
   * appends are simply lost (files that are rewritten whole, like userlog.txt).
   */
  keepUnwritten?: number;
}

export class SerialFileWriter {
  private queue: Operation[] = [];
  /** The queue is being worked through (possibly waiting for a rewrite). */
  private running = false;
  private tmpSeq = 0;
  /** Failed appends kept for the next one (keepUnwritten). */
  private unwritten = '';
  /** Kept text was dropped: nothing more is appended until the process starts again. */
  private stopped = false;
  private readonly keepUnwritten: number;

  constructor(
    readonly path: string,
    options: SerialFileWriterOptions = {},
  ) {
    this.keepUnwritten = options.keepUnwritten ?? 0;
  }

  /** The file lacks appends that failed (kept to be written, or dropped). */
  get behind(): boolean {
    return this.unwritten !== '' || this.stopped;
  }

  /**
   * Appends text as is; resolves once it is in the file, with true when this append also
   * wrote what earlier ones could not (the file has caught up). Rejects with LogAppendError.
   */
  append(text: string): Promise<boolean> {
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
        if (op.kind === 'append') {
          this.runAppend(op.texts.join(''), op.waiters);
          continue;
        }
        if (op.kind === 'rewrite') await this.replace(op.text);
      } catch (err) {
        // Each failure goes to the callers of that write only; the next one runs regardless.
        for (const w of op.waiters) w.reject(err);
        continue;
      }
      for (const w of op.waiters) w.resolve();
    }
    this.running = false;
  }

  private runAppend(text: string, waiters: Array<Waiter<boolean>>): void {
    const opens = !this.behind;
    const caughtUp = this.unwritten !== '';
    let failure: unknown = null;
    if (this.stopped) failure = new Error('appends stopped after an earlier failure');
    else {
      try {
        appendWhole(this.path, this.unwritten + text);
        this.unwritten = '';
      } catch (err) {
        failure = err;
      }
    }
    // `caughtUp` and `opens` go to the batch's first caller only: one report per change.
    if (failure === null) {
      for (const [i, w] of waiters.entries()) w.resolve(caughtUp && i === 0);
      return;
    }
    let kept = false;
    let stops = false;
    if (!this.stopped && this.keepUnwritten > 0) {
      kept = this.unwritten.length + text.length <= this.keepUnwritten;
      if (kept) this.unwritten += text;
      else {
        this.unwritten = '';
        this.stopped = true;
        stops = true;
      }
    }
    for (const [i, w] of waiters.entries()) {
      w.reject(new LogAppendError(this.path, kept, (opens || stops) && i === 0, failure));
    }
  }

  private async replace(text: string | (() => string)): Promise<void> {
    // A function is called only now, when the rewrite's turn comes: the newest content.
    const body = typeof text === 'function' ? text() : text;
    this.tmpSeq += 1;
    const tmp = `${this.path}.${process.pid}.${this.tmpSeq}.tmp`;
    try {
      await writeFile(tmp, body, 'utf8');
      await rename(tmp, this.path);
    } catch (err) {
      // A full disk leaves a half-written temporary file: it must not take the space for good.
      await rm(tmp, { force: true });
      throw err;
    }
  }
}
