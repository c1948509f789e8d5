/**
 * A video player fed while a file arrives: its stdin becomes the engine's stream sink. The
 * player is a separate program the user may close at any time, so every failure here (not
 * installed, exits at once, closes its input) only ends the streaming; saving goes on.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface PlayerProcess {
  /** Shown to the user, e.g. "ffplay". */
  readonly name: string;
  readonly stdin: NodeJS.WritableStream;
  /** Called once if the command could not be started at all (not found, not executable). */
  onStartFailure(listener: (reason: string) => void): void;
}

/** Starts `argv` without a shell; its output is dropped so it cannot scribble on the screen. */
export function startPlayer(argv: readonly string[]): PlayerProcess {
  const [command, ...args] = argv;
  const child = spawn(command!, args, { stdio: ['pipe', 'ignore', 'ignore'] });
  const stdin = child.stdin!;
  // EPIPE after the player quits is expected; the engine's feeder listens too and stops.
  stdin.on('error', () => {});
  const gone = (why: string) => {
    // Data already in the pipe may never drain once the player is gone: error the sink so a
    // feeder waiting for 'drain' stops instead of waiting until the engine closes.
    if (!stdin.writableFinished) stdin.destroy(new Error(why));
  };
  let startFailure: string | null = null;
  let failureListener: ((reason: string) => void) | null = null;
  child.on('error', (err: NodeJS.ErrnoException) => {
    gone(`player failed: ${err.message}`);
    // 'error' before 'spawn' means the program never ran.
    if (child.pid === undefined && startFailure === null) {
      startFailure = err.code === 'ENOENT' ? 'not found' : (err.code ?? err.message);
      failureListener?.(startFailure);
    }
  });
  child.on('exit', () => gone('player exited'));
  // A player left running must not keep a finished client alive.
  child.unref();
  return {
    name: path.basename(command!),
    stdin,
    onStartFailure(listener) {
      failureListener = listener;
      if (startFailure !== null) listener(startFailure);
    },
  };
}
