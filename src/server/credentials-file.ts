/**
 * Adding an account to credentials.txt (registration): read the file, add one line, write a
 * temporary file and rename it over the old one, so a crash leaves the old file or the new
 * one, never half a line. Additions run one at a time.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';

export class CredentialsFile {
  private tail: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(readonly path: string) {}

  /** Appends `username stored` as its own line; resolves once the file is replaced. */
  add(username: string, stored: string): Promise<void> {
    const run = this.tail.then(async () => {
      let text = '';
      try {
        text = await readFile(this.path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      if (text !== '' && !text.endsWith('\n')) text += '\n';
      this.seq += 1;
      const tmp = `${this.path}.${process.pid}.${this.seq}.tmp`;
      await writeFile(tmp, `${text}${username} ${stored}\n`, { encoding: 'utf8', flush: true });
      await rename(tmp, this.path);
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}
