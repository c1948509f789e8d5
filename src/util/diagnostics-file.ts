/**
 * The diagnostics file behind the logger: each line appended at once, whole (appendWhole),
 * and the file rotated by size the way winston's File transport named them (`x.log`, then
 * `x1.log`, `x2.log`, newest first). A line that cannot be written (ENOSPC on a full disk) is
 * dropped and counted; it never blocks the logger. winston's File transport swallows that
 * error and stops draining, which stalls every transport of the logger, the console included,
 * for good: on a full 4 MiB tmpfs the server went silent at the first ENOSPC and stayed so
 * after space was freed. Once a write works again, a line saying how many were lost goes first.
 * Example line: `{"level":"warn","message":"diagnostic lines lost: the file could not be written","lines":12}`
 */
import { renameSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { appendWhole } from './append-whole.js';

export class DiagnosticsFile extends Writable {
  /** Bytes in the current file; null until the first write finds out. */
  private size: number | null = null;
  private lost = 0;

  constructor(
    readonly file: string,
    private readonly maxBytes: number,
    /** Files kept, the current one included. */
    private readonly keep: number,
  ) {
    super({ decodeStrings: false });
  }

  /** Lines dropped since the last write that worked. */
  get lostLines(): number {
    return this.lost;
  }

  override _write(chunk: string | Buffer, _encoding: string, done: () => void): void {
    const line = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const note =
      this.lost === 0
        ? ''
        : `${JSON.stringify({ level: 'warn', message: 'diagnostic lines lost: the file could not be written', lines: this.lost })}\n`;
    try {
      if (this.size !== null && this.size > 0 && this.size + line.length > this.maxBytes) {
        this.rotate();
      }
      this.size = appendWhole(this.file, note + line);
      this.lost = 0;
    } catch {
      this.lost += 1;
    }
    done();
  }

  /** `x.log` → `x1.log` → ... → `x{keep-1}.log`, the oldest overwritten. */
  private rotate(): void {
    for (let i = this.keep - 1; i >= 1; i--) {
      try {
        renameSync(this.numbered(i - 1), this.numbered(i));
      } catch {
        // A file not there yet (or that cannot be moved) is skipped.
      }
    }
    this.size = 0;
  }

  private numbered(i: number): string {
    if (i === 0) return this.file;
    const ext = path.extname(this.file);
    return `${this.file.slice(0, this.file.length - ext.length)}${i}${ext}`;
  }
}
