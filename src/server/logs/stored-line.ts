/**
 * The log line of a message the store has already committed. Its failure (a full disk) must
 * not fail the request: the message is stored, is delivered, and is acknowledged. The line is
 * kept and goes into the file ahead of the next one that can be written (SerialFileWriter's
 * keepUnwritten), so the file catches up in order once there is space; should the server stop
 * first, the start-up repair (restore.ts, log-repair.ts) writes the missing lines from the
 * database. The diagnostic log gets one line when a file falls behind, one when it catches up.
 */
import { LogAppendError } from '../../store/serial-file-writer.js';
import type { Logger } from '../../util/logger.js';

export const LOG_BEHIND_LINE = 'log file behind the database: a line could not be written';
export const LOG_CAUGHT_UP_LINE = 'log file caught up with the database';

/** Awaits a numbered log's write of a stored message; never rejects. */
export async function writeStoredLine(
  logger: Logger,
  file: string,
  write: Promise<boolean>,
): Promise<void> {
  try {
    if (await write) logger.info(LOG_CAUGHT_UP_LINE, { file });
  } catch (err) {
    if (err instanceof LogAppendError && !err.opens) return;
    logger.error(LOG_BEHIND_LINE, {
      file,
      error: String(err instanceof LogAppendError ? err.cause : err),
      // false: too much piled up; the file stays as it is until the next start repairs it.
      kept: err instanceof LogAppendError && err.kept,
    });
  }
}
