/**
 * The load-generator processes, seen from the orchestrator: started with a raised file limit,
 * told their share of the users, then sent the same command and awaited together.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Protocol, WorkerCommand } from './plan.js';
import { spawnLimited, stopProcess } from './spawn-limited.js';

const WORKER = fileURLToPath(new URL('../chat-worker.js', import.meta.url));

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

class Worker {
  private seq = 1;
  private readonly pending = new Map<number, Pending>();
  readonly ready: Promise<void>;

  constructor(readonly child: ChildProcess) {
    this.ready = new Promise((resolve, reject) => {
      this.pending.set(0, { resolve: () => resolve(), reject });
    });
    child.on('message', (m: { seq: number; result?: unknown; error?: string }) => {
      const waiter = this.pending.get(m.seq);
      this.pending.delete(m.seq);
      if (m.error !== undefined) waiter?.reject(new Error(m.error));
      else waiter?.resolve(m.result);
    });
    child.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`worker exited (${code})`));
      this.pending.clear();
    });
  }

  call(command: WorkerCommand): Promise<unknown> {
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.child.send({ seq, command });
    });
  }
}

export class WorkerGroup {
  private constructor(private readonly workers: Worker[]) {}

  /** Starts `count` workers sharing users 0..total-1 round-robin, connected to one server. */
  static async start(options: {
    count: number;
    protocol: Protocol;
    port: number;
    /** A cluster's nodes: the users are spread over them round-robin. */
    ports?: number[];
    total: number;
    width: number;
    groupSize: number;
  }): Promise<WorkerGroup> {
    const workers = Array.from(
      { length: options.count },
      () =>
        new Worker(
          spawnLimited(process.execPath, [WORKER], {
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          }),
        ),
    );
    await Promise.all(workers.map((w) => w.ready));
    await Promise.all(
      workers.map((w, k) =>
        w.call({
          cmd: 'init',
          protocol: options.protocol,
          host: '127.0.0.1',
          port: options.port,
          ...(options.ports ? { ports: options.ports } : {}),
          users: Array.from({ length: options.total }, (_, i) => i).filter(
            (i) => i % options.count === k,
          ),
          total: options.total,
          width: options.width,
          groupSize: options.groupSize,
        }),
      ),
    );
    return new WorkerGroup(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  /** The generator processes' ids (their CPU is reported beside the server's). */
  get pids(): number[] {
    return this.workers.map((w) => w.child.pid!);
  }

  /** Sends every worker the command; resolves with their answers in worker order. */
  call<T>(command: WorkerCommand): Promise<T[]> {
    return Promise.all(this.workers.map((w) => w.call(command) as Promise<T>));
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.call({ cmd: 'exit' })));
    await Promise.all(this.workers.map((w) => stopProcess(w.child, 2000)));
  }
}
