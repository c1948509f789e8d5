/**
 * credentials.txt: one `username password` pair per line, a single space between two
 * non-space tokens, both case-sensitive. Passwords may hold shell metacharacters.
 * Example: `Yoda wise@!manbaby`
 */
import { readFile } from 'node:fs/promises';
import { startError } from './server-error.js';

/** The parsed file: usable pairs plus the lines that were skipped. */
export interface Credentials {
  /** username → password */
  readonly users: ReadonlyMap<string, string>;
  /** 1-based numbers of the lines that were malformed and skipped. */
  readonly malformed: readonly number[];
}

const PAIR = /^(\S+) (\S+)$/;

/** Parses the file's text. Never throws: a malformed line is recorded and skipped. */
export function parseCredentials(text: string): Credentials {
  const users = new Map<string, string>();
  const malformed: number[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    // Tolerate files saved with CRLF endings.
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const match = PAIR.exec(line);
    if (!match) {
      malformed.push(index + 1);
      return;
    }
    const [, username, password] = match as unknown as [string, string, string];
    // The first definition wins, so a later duplicate cannot silently change a password.
    if (users.has(username)) {
      malformed.push(index + 1);
      return;
    }
    users.set(username, password);
  });
  return { users, malformed };
}

/** The text reported for a skipped line, on the server console and in the diagnostics. */
export function malformedLineText(line: number): string {
  return `credentials.txt line ${line} is malformed and was skipped`;
}

/**
 * Reads and parses the credentials file. Rejects with a clear message (and the fs error's
 * code kept) when it cannot be read.
 */
export async function loadCredentials(file: string): Promise<Credentials> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw startError(`Cannot read credentials file ${file}`, err);
  }
  return parseCredentials(text);
}
