/**
 * Reads lines from a stream one at a time on demand, with optional echo suppression for
 * passwords on a terminal. Lines that arrive while nobody is waiting are queued, so piped
 * scripts lose nothing.
 */
import readline from 'node:readline';
import { Writable } from 'node:stream';

export class LineReader {
  private readonly queue: string[] = [];
  private waiter: ((line: string | null) => void) | null = null;
  private ended = false;
  private muted = false;
  private readonly rl: readline.Interface;
  /** Called on Ctrl-C at a terminal (readline swallows the signal there). */
  onInterrupt: () => void = () => process.kill(process.pid, 'SIGINT');

  constructor(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, terminal: boolean) {
    const echo = new Writable({
      write: (chunk, _enc, done) => {
        if (!this.muted) output.write(chunk);
        done();
      },
    });
    this.rl = readline.createInterface({ input, output: echo, terminal });
    this.rl.on('line', (line) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w(line);
      } else this.queue.push(line);
    });
    this.rl.on('close', () => {
      this.ended = true;
      this.waiter?.(null);
      this.waiter = null;
    });
    this.rl.on('SIGINT', () => this.onInterrupt());
  }

  /** Next line, or null at end of input. */
  next(options: { mute?: boolean } = {}): Promise<string | null> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(null);
    this.muted = options.mute === true;
    return new Promise((resolve) => {
      this.waiter = (line) => {
        this.muted = false;
        resolve(line);
      };
    });
  }

  close(): void {
    this.rl.close();
  }
}
