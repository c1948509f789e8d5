/**
 * `tessenger passwd <user> [--credentials PATH]`: sets or rehashes one account's password in
 * credentials.txt as a salted scrypt hash. Asks twice (unechoed) on a terminal; reads the
 * first line of stdin otherwise, for scripts. The file is rewritten atomically (temp file +
 * rename), keeping every other line as it was.
 */
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hashPassword, isHashed } from '../server/password-hash.js';
import { LineReader } from './line-reader.js';

export interface PasswdOptions {
  username: string;
  credentialsPath: string;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  terminal: boolean;
}

/** Replaces (or appends) the user's line; pure, so every case is unit-tested. */
export function setCredentialLine(text: string, username: string, stored: string): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  let found = false;
  const out = lines.map((raw) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // The first definition is the one the server uses; later duplicates stay as they were.
    if (!found && line.split(' ')[0] === username && /^\S+ \S+$/.test(line)) {
      found = true;
      return `${username} ${stored}`;
    }
    return raw;
  });
  if (!found) out.push(`${username} ${stored}`);
  return `${out.join('\n')}\n`;
}

/** The server's start-up warning when some passwords are still plain text. */
export function plainPasswordsText(users: readonly string[], credentialsPath: string): string {
  const shown = users.slice(0, 5).join(', ') + (users.length > 5 ? ', ...' : '');
  return `WARNING: ${users.length} account(s) in ${credentialsPath} have plain-text passwords (${shown}). Hash each with: tessenger passwd <user> --credentials ${credentialsPath}`;
}

/** Lists the users whose stored password is not a hash. */
export function plainUsers(users: ReadonlyMap<string, string>): string[] {
  return [...users].filter(([, stored]) => !isHashed(stored)).map(([user]) => user);
}

export async function runPasswdCommand(options: PasswdOptions): Promise<number> {
  const { username, credentialsPath, output } = options;
  const fail = (text: string): number => {
    process.stderr.write(`${text}\n`);
    return 1;
  };
  if (!/^\S+$/.test(username)) return fail(`Invalid username: ${JSON.stringify(username)}.`);
  const reader = new LineReader(options.input, output, options.terminal);
  let password: string | null;
  try {
    if (options.terminal) output.write(`New password for ${username}: `);
    password = await reader.next({ mute: options.terminal });
    if (options.terminal) {
      output.write(`\nAgain: `);
      const again = await reader.next({ mute: true });
      output.write('\n');
      if (again !== password) return fail('The passwords differ; nothing was changed.');
    }
  } finally {
    reader.close();
  }
  if (password === null || password === '') return fail('No password given; nothing was changed.');
  // The client reads a password as one line; whitespace at the ends would never be typed back.
  if (password.trim() !== password || /\p{Cc}/u.test(password)) {
    return fail('A password may not start or end with spaces or hold control characters.');
  }
  let text = '';
  let mode = 0o600;
  try {
    text = await readFile(credentialsPath, 'utf8');
    mode = (await stat(credentialsPath)).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      return fail(`Cannot read ${credentialsPath}: ${(err as Error).message}`);
    }
  }
  const tmp = `${credentialsPath}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, setCredentialLine(text, username, hashPassword(password)), {
      flush: true,
    });
    await chmod(tmp, mode);
    await rename(tmp, credentialsPath);
  } catch (err) {
    await rm(tmp, { force: true });
    return fail(`Cannot write ${credentialsPath}: ${(err as Error).message}`);
  }
  output.write(
    `Password for ${username} saved as a scrypt hash in ${credentialsPath}. A running server reads it at its next start.\n`,
  );
  return 0;
}
