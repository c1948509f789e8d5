/**
 * `--player [CMD]`: which video player an audience pipes incoming files into. Splitting is
 * pure (unit-tested); finding a default player on PATH is the only I/O here.
 */
import fs from 'node:fs';
import path from 'node:path';

/** What the user asked for: no player, the first one found, or exactly this command. */
export type PlayerChoice =
  | { readonly mode: 'off' }
  | { readonly mode: 'auto' }
  | { readonly mode: 'command'; readonly argv: readonly string[] };

/** Tried in order when `--player` is given without a command. */
export const DEFAULT_PLAYERS: ReadonlyArray<readonly string[]> = [
  ['ffplay', '-autoexit', '-loglevel', 'error', '-'],
  ['mpv', '--really-quiet', '-'],
];

export const NO_PLAYER_NOTICE =
  'No video player found (ffplay or mpv); received files are just saved.';

/**
 * Splits a command line the way a shell does for simple quoting: whitespace separates words,
 * '…' is literal, "…" allows \" and \\, a backslash outside quotes escapes the next
 * character. No variables, globs or pipes: the player runs without a shell, so nothing in the
 * option can run a second command. Null when a quote is left open or nothing is left.
 */
export function splitCommand(text: string): string[] | null {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== null) return null;
  if (inWord) words.push(word);
  return words.length > 0 ? words : null;
}

/** yargs' value of `--player`: undefined when absent, '' (or true) when given bare. */
export function parsePlayerOption(value: unknown): PlayerChoice | string {
  if (value === undefined || value === false) return { mode: 'off' };
  if (value === true || String(value).trim() === '') return { mode: 'auto' };
  const argv = splitCommand(String(value));
  if (argv === null) return `Invalid --player command: ${String(value)}`;
  return { mode: 'command', argv };
}

/** True when `name` is an executable file in one of PATH's folders. */
export function onPath(name: string, envPath = process.env.PATH ?? ''): boolean {
  for (const dir of envPath.split(path.delimiter)) {
    if (dir === '') continue;
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/** The player's argv, or null (with the notice for the user) when auto finds none. */
export function resolvePlayer(
  choice: PlayerChoice,
  found: (name: string) => boolean = (name) => onPath(name),
): readonly string[] | null {
  if (choice.mode === 'off') return null;
  if (choice.mode === 'command') return choice.argv;
  return DEFAULT_PLAYERS.find((argv) => found(argv[0]!)) ?? null;
}
