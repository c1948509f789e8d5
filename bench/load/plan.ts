/**
 * The chat bench's shared vocabulary: user and group names, and the commands the orchestrator
 * (bench/chat.ts) sends its load-generator processes (bench/chat-worker.ts) over IPC.
 */
import type { HistogramData } from './histogram.js';

/** `user0042`: the same names on both servers (IRC nicknames allow 30 characters here). */
export function userName(index: number, width: number): string {
  return `user${String(index).padStart(width, '0')}`;
}

/** Password of `userNNNN` in the generated credentials file. */
export function passwordOf(index: number, width: number): string {
  return `pw${String(index).padStart(width, '0')}`;
}

/**
 * Group of user `index`: users are in groups of `size` in order (bench0 = users 0..size-1);
 * '' for the users left over when the count is not a multiple of the size.
 */
export function groupOf(index: number, size: number, total: number): string {
  const group = Math.floor(index / size);
  return (group + 1) * size <= total ? `bench${group}` : '';
}

export type Protocol = 'tessenger' | 'irc';

export interface RunCommand {
  cmd: 'run';
  mode: 'direct' | 'group';
  /** Messages per second this worker offers; 0 = closed loop (saturation). */
  rate: number;
  /** Closed loop: unacknowledged messages each client keeps in flight. */
  window: number;
  /** Epoch ms at which every worker starts sending. */
  startAt: number;
  /** Sent but not measured: lets the JIT and the socket buffers settle. */
  warmupMs: number;
  durationMs: number;
  /** After the window and every acknowledgement: how long deliveries must stop before reporting. */
  drainMs: number;
}

export type WorkerCommand =
  | {
      cmd: 'init';
      protocol: Protocol;
      host: string;
      port: number;
      /** Several server nodes (a cluster): user i signs in on ports[i % length]; else `port`. */
      ports?: number[];
      /** Indices of the users this worker owns. */
      users: number[];
      /** All users, across workers (direct messages go to any of them). */
      total: number;
      width: number;
      groupSize: number;
    }
  | { cmd: 'login'; concurrency: number }
  | { cmd: 'create-groups' }
  | { cmd: 'join-groups' }
  | RunCommand
  | { cmd: 'exit' };

export interface RunReport {
  sentInWindow: number;
  ackedInWindow: number;
  deliveredInWindow: number;
  histogram: HistogramData;
  failures: number;
  failureSamples: string[];
}
