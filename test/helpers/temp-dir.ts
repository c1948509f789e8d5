import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CREDENTIALS_TEXT, SAMPLE_USERS } from './fixtures.js';

/** A fresh folder under the OS temp dir; `cleanup` removes it. */
export async function makeTempDir(prefix = 'tessenger-'): Promise<{
  dir: string;
  cleanup: () => Promise<void>;
}> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** The sample users of fixtures/credentials.txt, as written to each test's own credentials file. */
export const SAMPLE_CREDENTIALS = SAMPLE_USERS;

/** Copies fixtures/credentials.txt into `dir`, with `extra` lines after it. */
export async function writeCredentials(dir: string, extra = ''): Promise<string> {
  const file = path.join(dir, 'credentials.txt');
  await fs.writeFile(file, `${CREDENTIALS_TEXT}${extra}`);
  return file;
}
