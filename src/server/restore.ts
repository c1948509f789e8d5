/**
 * Start-up: reads the durable state and brings the product log files in line with it. The
 * database is written before the log files, so after a crash a file may lack its last lines
 * (or end in half of one); they are written again from the database here. The same holds
 * after a full disk: a stored message's line that did not fit is kept in memory and written
 * once there is room (logs/stored-line.ts); a server stopped before that leaves the file a
 * prefix of the database (appends fail whole and never out of order), completed here.
 */
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChatStore, StoreSnapshot } from '../store/store.js';
import { Groups } from './groups.js';
import { createGroupLog, groupLogPath } from './logs/group-log.js';
import { openRepairedLog } from './logs/log-repair.js';
import { MESSAGE_LOG_FILE, type NumberedLog } from './logs/message-log.js';

export interface DurableState {
  snapshot: StoreSnapshot;
  messageLog: NumberedLog;
  groups: Groups;
  /** One line per log file that had to be completed, for the diagnostics. */
  repairs: string[];
}

export async function openDurableState(store: ChatStore, logDir: string): Promise<DurableState> {
  const snapshot = await store.load();
  const repairs: string[] = [];
  const note = (file: string, appended: number) => {
    if (appended > 0) repairs.push(`${file}: ${appended} line(s) written again from the database`);
  };

  const messageFile = path.join(logDir, MESSAGE_LOG_FILE);
  const direct = await openRepairedLog(messageFile, async (n) =>
    (await store.directAfter(n)).map((m) => ({ n: m.n, ts: m.ts, name: m.to, text: m.text })),
  );
  note(messageFile, direct.appended);
  // A messagelog.txt older than the database (or edited by hand) may be ahead: never reuse
  // its numbers.
  store.reserveDirectNumbers(direct.log.lastNumber);

  const groups = new Groups(store, (name) => createGroupLog(logDir, name));
  for (const stored of snapshot.groups) {
    const file = groupLogPath(logDir, stored.name);
    // A group committed just before a crash may have no file yet; SPEC wants it from creation.
    await appendFile(file, '');
    const repaired = await openRepairedLog(file, async (n) =>
      (await store.groupAfter(stored.name, n)).map((m) => ({
        n: m.n,
        ts: m.ts,
        name: m.from,
        text: m.text,
      })),
    );
    note(file, repaired.appended);
    groups.restore(stored, repaired.log);
  }
  return { snapshot, messageLog: direct.log, groups, repairs };
}
