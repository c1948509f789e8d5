/**
 * messagelog.txt: every delivered /msgto, numbered globally; appended, never truncated, and
 * numbering continues across restarts. The name logged is the receiver's (SPEC.md).
 * Example line: `1; 01 Jun 2022 21:39:04; obiwan; do or do not`
 */
import path from 'node:path';
import { readLogTail } from '../../store/log-tail.js';
import { SerialFileWriter } from '../../store/serial-file-writer.js';
import { formatTimestamp } from '../../util/time-format.js';
import { escapeLogText, SEPARATOR } from './log-text.js';

export const MESSAGE_LOG_FILE = 'messagelog.txt';

/** One numbered message line (messagelog.txt and the group logs share it), newline excluded. */
export function formatMessageLine(n: number, ts: number, name: string, text: string): string {
  // formatRecord's output, built directly: a number and a timestamp have nothing to escape.
  return `${n}${SEPARATOR}${formatTimestamp(ts)}${SEPARATOR}${escapeLogText(name)}${SEPARATOR}${escapeLogText(text)}`;
}

/**
 * Failed appends a numbered log keeps to write ahead of its next one (a full disk): ~10,000
 * lines. The store refuses messages on a full disk too, so few pile up; beyond this the file
 * stops where it is and the start-up repair (log-repair.ts) writes the rest from the database.
 */
export const KEEP_UNWRITTEN = 1024 * 1024;

/** A numbered, append-only message log: the number is taken when the call is made. */
export class NumberedLog {
  private readonly writer: SerialFileWriter;

  constructor(
    readonly path: string,
    private last: number,
    /** Set when the file ends mid-line, so the first append does not glue onto it. */
    private needsNewline = false,
  ) {
    this.writer = new SerialFileWriter(path, { keepUnwritten: KEEP_UNWRITTEN });
  }

  /** Appends one line; resolves with its number once it is in the file. */
  async append(ts: number, name: string, text: string): Promise<{ n: number; line: string }> {
    this.last += 1;
    const line = formatMessageLine(this.last, ts, name, text);
    const lead = this.needsNewline ? '\n' : '';
    this.needsNewline = false;
    await this.writer.append(`${lead}${line}\n`);
    return { n: this.last, line };
  }

  /**
   * Appends the line numbered `n` by the store (the database owns numbering); resolves once
   * it is in the file (true: lines that had failed went with it), rejects with
   * LogAppendError (the line is kept for the next append, or the file stopped: `kept`).
   * Callers write in number order.
   */
  write(n: number, ts: number, name: string, text: string): Promise<boolean> {
    return this.writeLine(n, formatMessageLine(n, ts, name, text));
  }

  /** `write` of a line the caller formatted with formatMessageLine (it quotes the line too). */
  writeLine(n: number, line: string): Promise<boolean> {
    this.last = Math.max(this.last, n);
    const lead = this.needsNewline ? '\n' : '';
    this.needsNewline = false;
    return this.writer.append(`${lead}${line}\n`);
  }

  /** Number of the last line written (or found in the file). */
  get lastNumber(): number {
    return this.last;
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }
}

/** Opens messagelog.txt in logDir, carrying on from its last number. */
export async function openMessageLog(logDir: string): Promise<NumberedLog> {
  const file = path.join(logDir, MESSAGE_LOG_FILE);
  const tail = await readLogTail(file);
  return new NumberedLog(file, tail.lastNumber, tail.needsNewline);
}
