/**
 * userlog.txt: who is online, one line per session, renumbered 1..n whenever one leaves.
 * Example line: `1; 01 Jun 2022 21:30:04; Yoda; 129.64.1.11; 6666`
 */
import path from 'node:path';
import { SerialFileWriter } from '../../store/serial-file-writer.js';
import { formatTimestamp } from '../../util/time-format.js';
import { formatRecord, SEPARATOR } from './log-text.js';

export const USER_LOG_FILE = 'userlog.txt';

/** One online user as userlog.txt records it. */
export interface UserLogEntry {
  username: string;
  /** Login time, ms since the epoch. */
  since: number;
  address: string;
  udpPort: number;
}

/** One userlog.txt line, newline excluded. */
export function formatUserLogLine(seq: number, entry: UserLogEntry): string {
  return `${seq}${SEPARATOR}${formatUserLogTail(entry)}`;
}

/** A line without its sequence number: fixed for the entry's life, so it is made once. */
function formatUserLogTail(entry: UserLogEntry): string {
  return formatRecord([formatTimestamp(entry.since), entry.username, entry.address, entry.udpPort]);
}

interface Line {
  entry: UserLogEntry;
  tail: string;
}

/** The whole file for these lines, numbered in order. */
function renderLines(lines: readonly Line[]): string {
  let text = '';
  for (let i = 0; i < lines.length; i++) text += `${i + 1}${SEPARATOR}${lines[i]!.tail}\n`;
  return text;
}

/**
 * Owns userlog.txt: the in-memory list is the truth, the file follows it in order. A logout
 * rewrites the file (renumbered); logouts that come while a rewrite waits its turn join it,
 * and so do logins, so a burst of N disconnects (a network blip, a shutdown) costs a few
 * rewrites of the file, not N rewrites of N lines each.
 */
export class UserLog {
  private readonly lines: Line[] = [];
  private readonly writer: SerialFileWriter;
  /** A rewrite queued behind the writes in progress, not started yet. */
  private pendingRewrite: Promise<void> | null = null;

  constructor(logDir: string) {
    this.writer = new SerialFileWriter(path.join(logDir, USER_LOG_FILE));
  }

  /** SPEC.md: the file is emptied when the server starts. */
  reset(): Promise<void> {
    this.lines.length = 0;
    return this.writer.rewrite('');
  }

  /** Appends a login; the sequence number is the entry's position. */
  add(entry: UserLogEntry): Promise<void> {
    const line = { entry, tail: formatUserLogTail(entry) };
    this.lines.push(line);
    // The waiting rewrite renders the list when it starts: this line is in it.
    if (this.pendingRewrite) return this.pendingRewrite;
    // A failed append is lost (not kept): the next rewrite, at a logout, renders every line.
    return this.writer
      .append(`${this.lines.length}${SEPARATOR}${line.tail}\n`)
      .then(() => undefined);
  }

  /** Removes the user's line and rewrites the rest renumbered. */
  remove(username: string): Promise<void> {
    const index = this.lines.findIndex((l) => l.entry.username === username);
    if (index === -1) return this.writer.flush();
    this.lines.splice(index, 1);
    if (this.pendingRewrite) return this.pendingRewrite;
    const done = this.writer.rewrite(() => {
      // From here on a change needs a rewrite (or append) of its own, queued after this one.
      this.pendingRewrite = null;
      return renderLines(this.lines);
    });
    this.pendingRewrite = done;
    return done;
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }
}
