import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A fresh folder under the OS temp dir; `cleanup` removes it. */
export async function makeTempDir(prefix = 'tessenger-'): Promise<{
  dir: string;
  cleanup: () => Promise<void>;
}> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** The assignment's sample users, as written to each test's own credentials file. */
export const SAMPLE_CREDENTIALS: Record<string, string> = {
  Yoda: 'wise@!manbaby',
  obiwan: '(jedimaster)',
  Hans: 'wookie-aaaawww+87',
  vader: '666sithlord**',
};

export async function writeCredentials(dir: string, extra = ''): Promise<string> {
  const file = path.join(dir, 'credentials.txt');
  const lines = Object.entries(SAMPLE_CREDENTIALS).map(([u, p]) => `${u} ${p}`);
  await fs.writeFile(file, `${lines.join('\n')}\n${extra}`);
  return file;
}
