/**
 * Feeds a sink (a video player's stdin) the file's bytes in order while they arrive. It reads
 * the written prefix back from the part file through its own descriptor (which survives the
 * final rename), so a slow sink never holds chunks in memory or slows the transfer: it only
 * falls behind. A sink error stops the streaming; saving goes on.
 */
import type { FileHandle } from 'node:fs/promises';
import fs from 'node:fs/promises';
import type { PartFile } from './part-file.js';

const READ_BYTES = 256 * 1024;

export class StreamFeeder {
  /** Bytes handed to the sink so far. */
  position = 0;
  failed: Error | null = null;
  private fh: Promise<FileHandle | null>;
  private running = false;
  private again = false;
  private draining = false;
  private complete = false;
  private stopped = false;

  constructor(
    private readonly sink: NodeJS.WritableStream,
    private readonly part: PartFile,
    private readonly total: number,
    private readonly onEnd: (feeder: StreamFeeder) => void = () => {},
  ) {
    this.fh = fs.open(part.partPath, 'r').catch(() => null);
    sink.on('error', (error: Error) => {
      this.failed = error;
      this.stop(false);
    });
  }

  /** New bytes were written; stream what became contiguous. */
  poke(): void {
    if (this.stopped || this.draining) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.run().finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.poke();
      }
    });
  }

  /** The file is complete and verified: stream to the end, then end the sink. */
  finish(): void {
    this.complete = true;
    this.poke();
  }

  /** Stops feeding; ends the sink so a player sees end of input. */
  stop(endSink = true): void {
    if (this.stopped) return;
    this.stopped = true;
    if (endSink && this.failed === null) this.sink.end();
    void this.fh.then((fh) => fh?.close()).catch(() => {});
    this.onEnd(this);
  }

  private async run(): Promise<void> {
    const fh = await this.fh;
    if (!fh) return this.stop();
    while (!this.stopped) {
      const available = this.complete ? this.total : this.part.written.prefix;
      if (this.position >= available) break;
      const length = Math.min(READ_BYTES, available - this.position);
      const buf = Buffer.allocUnsafe(length);
      let got: number;
      try {
        got = (await fh.read(buf, 0, length, this.position)).bytesRead;
      } catch {
        return this.stop();
      }
      if (this.stopped || got === 0) return;
      this.position += got;
      if (!this.sink.write(buf.subarray(0, got))) {
        this.draining = true;
        this.sink.once('drain', () => {
          this.draining = false;
          this.poke();
        });
        return;
      }
    }
    if (this.complete && this.position >= this.total) this.stop();
  }
}
