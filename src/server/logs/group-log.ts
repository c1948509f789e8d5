/**
 * `<group>_messagelog.txt`: one per group, numbered per group from 1, created empty with the
 * group. Example line: `1; 01 Jun 2022 21:45:10; Yoda; meeting at noon`
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NumberedLog } from './message-log.js';

/** `<logDir>/<group>_messagelog.txt` */
export function groupLogPath(logDir: string, group: string): string {
  // Group names are letters and digits only (checked before this), so the path stays in logDir.
  return path.join(logDir, `${group}_messagelog.txt`);
}

/**
 * Creates (or empties: a file left by a group the database does not know, e.g. after the data
 * folder was removed, belongs to another group) the group's log file and returns its writer.
 */
export async function createGroupLog(logDir: string, group: string): Promise<NumberedLog> {
  const file = groupLogPath(logDir, group);
  await writeFile(file, '', 'utf8');
  return new NumberedLog(file, 0);
}
