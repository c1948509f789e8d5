/**
 * SHA-256 off the receiving thread. A received file's hash (~1.5 GB/s with SHA-NI, a third
 * of a receiver's CPU) is computed by one helper thread per process that all receptions
 * share; the receiver hands it each written run of bytes by transferring the buffers (no
 * copy) and asks for the digest at the end. Messages on one port arrive in order, so a digest
 * request is answered after every update sent before it.
 *
 * The helper is ref'd only while some request is outstanding: it never keeps a process alive
 * on its own, yet a digest being awaited keeps the loop alive even when nothing else does.
 * Its code is plain JavaScript run with `eval` (no file to locate), so it starts the same from
 * compiled output, from TypeScript under a test runner and inside a worker thread. Buffers are
 * transferred only after their write completed, never while the thread pool still reads them.
 * It runs at a lower priority (Linux), so on a busy machine it takes idle CPU first instead of
 * preempting the receiving thread. If the helper fails, the digest rejects and the caller
 * re-hashes from the file.
 */
import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';

const HELPER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const hashes = new Map();
// Background work: below the receiving and sending threads, so it takes idle CPU first.
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  require('node:os').setPriority(tid, 10);
} catch {}
parentPort.on('message', (m) => {
  if (m.op === 'update') {
    let h = hashes.get(m.id);
    if (!h) { h = crypto.createHash('sha256'); hashes.set(m.id, h); }
    for (const v of m.views) h.update(v);
    parentPort.postMessage({ op: 'updated', id: m.id, bytes: m.bytes });
  } else if (m.op === 'digest') {
    const h = hashes.get(m.id) ?? crypto.createHash('sha256');
    hashes.delete(m.id);
    parentPort.postMessage({ op: 'digest', id: m.id, hex: h.digest('hex') });
  } else if (m.op === 'drop') {
    hashes.delete(m.id);
  }
});
`;

type Reply =
  | { op: 'updated'; id: number; bytes: number }
  | { op: 'digest'; id: number; hex: string };

interface Pending {
  /** Bytes sent to the helper and not yet hashed. */
  backlog: number;
  digest: ((hex: string | Error) => void) | null;
}

class HashHelper {
  private readonly worker: Worker;
  private readonly sinks = new Map<number, Pending>();
  private outstanding = 0;
  failed: Error | null = null;

  constructor() {
    this.worker = new Worker(HELPER_SOURCE, { eval: true });
    this.worker.unref();
    this.worker.on('message', (m: Reply) => this.onReply(m));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`hash thread exited (${code})`)));
  }

  register(id: number): Pending {
    const pending: Pending = { backlog: 0, digest: null };
    this.sinks.set(id, pending);
    return pending;
  }

  update(id: number, views: Uint8Array[], bytes: number, transfer: ArrayBuffer[]): void {
    this.begin();
    try {
      this.worker.postMessage({ op: 'update', id, views, bytes }, transfer);
    } catch {
      try {
        // A buffer that cannot be transferred (a pooled one): send copies instead.
        this.worker.postMessage({ op: 'update', id, views, bytes });
      } catch (error) {
        // Nothing went: the hashes here are incomplete, so their owners re-hash from disk.
        this.end();
        this.fail(error as Error);
        void this.worker.terminate();
      }
    }
  }

  digest(id: number): void {
    this.begin();
    this.worker.postMessage({ op: 'digest', id });
  }

  drop(id: number): void {
    this.sinks.delete(id);
    if (!this.failed) this.worker.postMessage({ op: 'drop', id });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
    this.fail(new Error('hash thread stopped'));
  }

  private begin(): void {
    if (this.outstanding++ === 0) this.worker.ref();
  }

  private end(): void {
    if (--this.outstanding === 0) this.worker.unref();
  }

  private onReply(m: Reply): void {
    this.end();
    const pending = this.sinks.get(m.id);
    if (!pending) return;
    if (m.op === 'updated') {
      pending.backlog -= m.bytes;
    } else {
      this.sinks.delete(m.id);
      pending.digest?.(m.hex);
    }
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = error;
    if (helper === this) helper = null;
    for (const pending of this.sinks.values()) {
      pending.backlog = 0;
      pending.digest?.(error);
    }
    this.sinks.clear();
  }
}

/**
 * The process's one helper thread and the ids of its hashes. Module-level on purpose: one thread
 * shared by every engine in the process is the point (a thread per engine would compete for
 * the same two cores). Safe: it holds no caller's state beyond a reception's own sink (keyed
 * by an id unique in the process), it is unref'd while idle, and a failed or stopped helper is
 * replaced at the next use (stopHashHelper() is how tests reset it).
 */
let helper: HashHelper | null = null;
let nextId = 1;

/**
 * Stops the shared helper thread now; the next reception starts a new one. Pending digests
 * reject, so their part files are hashed again in the calling thread (tests use this).
 */
export async function stopHashHelper(): Promise<void> {
  const current = helper;
  if (!current) return;
  await current.stop();
}

function sharedHelper(): HashHelper | null {
  if (helper) return helper;
  try {
    helper = new HashHelper();
  } catch {
    helper = null;
  }
  return helper;
}

/** A running SHA-256 whose updates take ownership of the bytes passed in. */
export interface Sha256Sink {
  /** Hashes the buffers next, in order. They must not be used by the caller afterwards. */
  update(buffers: Buffer[]): void;
  /** Bytes handed over but not hashed yet (back-pressure for the caller). */
  readonly backlog: number;
  /** The hex digest of everything updated; rejects if the helper thread failed. */
  digest(): Promise<string>;
  /** Forgets the hash (the reception ended without one). */
  drop(): void;
}

/** Hashing on the shared helper thread, or in this thread when no helper can be had. */
export function createSha256Sink(useThread = true): Sha256Sink {
  const shared = useThread ? sharedHelper() : null;
  return shared ? new ThreadSink(shared) : new LocalSink();
}

class LocalSink implements Sha256Sink {
  private readonly hash = crypto.createHash('sha256');
  readonly backlog = 0;
  update(buffers: Buffer[]): void {
    for (const b of buffers) this.hash.update(b);
  }
  digest(): Promise<string> {
    return Promise.resolve(this.hash.digest('hex'));
  }
  drop(): void {}
}

class ThreadSink implements Sha256Sink {
  private readonly id = nextId++;
  private readonly pending: Pending;
  private finished = false;

  constructor(private readonly helper: HashHelper) {
    this.pending = helper.register(this.id);
  }

  get backlog(): number {
    return this.pending.backlog;
  }

  update(buffers: Buffer[]): void {
    if (this.finished || this.helper.failed) return;
    const transfer: ArrayBuffer[] = [];
    const views: Uint8Array[] = [];
    let bytes = 0;
    for (const b of buffers) {
      if (b.length === 0) continue;
      bytes += b.length;
      views.push(b);
      const ab = b.buffer as ArrayBuffer;
      // Transfer only a buffer that owns its memory outright (not a slice of Node's pool)
      // and only once, even when several views share it.
      if (ab.byteLength <= b.length + 64 && !transfer.includes(ab)) transfer.push(ab);
    }
    if (bytes === 0) return;
    this.pending.backlog += bytes;
    this.helper.update(this.id, views, bytes, transfer);
  }

  digest(): Promise<string> {
    if (this.helper.failed) return Promise.reject(this.helper.failed);
    this.finished = true;
    return new Promise((resolve, reject) => {
      this.pending.digest = (hex) => (hex instanceof Error ? reject(hex) : resolve(hex));
      this.helper.digest(this.id);
    });
  }

  drop(): void {
    if (this.finished) return;
    this.finished = true;
    this.helper.drop(this.id);
  }
}
