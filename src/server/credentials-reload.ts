/**
 * Picks up changes to credentials.txt while the server runs (`tessenger passwd`, an edit by
 * hand): before each login the file is stat'ed, and read again only when its inode, size or
 * modification time changed. No watcher, no timer: a change counts from the next login on.
 */
import { fileStamp } from '../util/file-stamp.js';
import type { Logger } from '../util/logger.js';
import { type Credentials, loadCredentials, malformedLineText } from './credentials.js';

type Stamp = string;

export class CredentialsReloader {
  private stamp: Stamp | null = null;
  private running: Promise<Credentials | null> | null = null;

  constructor(
    private readonly path: string,
    private readonly logger: Logger,
    /** Operator console, told about malformed lines in the changed file. */
    private readonly console: (line: string) => void,
  ) {}

  /** Records the file as it is now (the server has just read it). */
  async prime(): Promise<void> {
    this.stamp = await stampOf(this.path);
  }

  /** The file's new contents if it changed since it was last read; null otherwise. */
  changed(): Promise<Credentials | null> {
    // Logins that arrive together share one stat (and one read).
    this.running ??= this.check().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async check(): Promise<Credentials | null> {
    const now = await stampOf(this.path);
    if (now === null || now === this.stamp) return null;
    let credentials: Credentials;
    try {
      credentials = await loadCredentials(this.path);
    } catch (err) {
      // Vanished between stat and read (mid-rename): keep what we have, try at the next login.
      this.logger.warn('credentials file changed but cannot be read', {
        error: (err as Error).message,
      });
      return null;
    }
    this.stamp = now;
    for (const line of credentials.malformed) this.console(malformedLineText(line));
    this.logger.info('credentials file read again', { accounts: credentials.users.size });
    return credentials;
  }
}

async function stampOf(file: string): Promise<Stamp | null> {
  try {
    return await fileStamp(file);
  } catch {
    return null;
  }
}
