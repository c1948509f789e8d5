/**
 * userlog.txt: who is online, one line per session, renumbered 1..n whenever one leaves.
 * Example line: `1; 01 Jun 2022 21:30:04; Yoda; 129.64.1.11; 6666`
 */
import path from 'node:path';
import { SerialFileWriter } from '../../store/serial-file-writer.js';
import { formatTimestamp } from '../../util/time-format.js';
import { formatRecord } from './log-text.js';

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
  return formatRecord([
    seq,
    formatTimestamp(entry.since),
    entry.username,
    entry.address,
    entry.udpPort,
  ]);
}

/** The whole file for these entries, in order. */
export function formatUserLog(entries: readonly UserLogEntry[]): string {
  return entries.map((e, i) => `${formatUserLogLine(i + 1, e)}\n`).join('');
}

/** Owns userlog.txt: the in-memory list is the truth, the file follows it in order. */
export class UserLog {
  private readonly entries: UserLogEntry[] = [];
  private readonly writer: SerialFileWriter;

  constructor(logDir: string) {
    this.writer = new SerialFileWriter(path.join(logDir, USER_LOG_FILE));
  }

  /** SPEC.md: the file is emptied when the server starts. */
  reset(): Promise<void> {
    this.entries.length = 0;
    return this.writer.rewrite('');
  }

  /** Appends a login; the sequence number is the entry's position. */
  add(entry: UserLogEntry): Promise<void> {
    this.entries.push(entry);
    return this.writer.append(`${formatUserLogLine(this.entries.length, entry)}\n`);
  }

  /** Removes the user's line and rewrites the rest renumbered. */
  remove(username: string): Promise<void> {
    const index = this.entries.findIndex((e) => e.username === username);
    if (index === -1) return this.writer.flush();
    this.entries.splice(index, 1);
    return this.writer.rewrite(formatUserLog(this.entries));
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }
}
