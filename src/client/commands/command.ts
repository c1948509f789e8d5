/**
 * What a client command is: how its arguments are read from a typed line (pure), and the
 * request it makes with the result it returns. One file per command in this folder, as
 * server/handlers/ has one per request; the text a result prints is in src/presentation/.
 */
import type { RequestOf, RequestType } from '../../protocol/control.js';
import type { Connection } from '../connection.js';
import type { TransferManager } from '../transfers.js';

export type Parsed<A> = { ok: true; args: A } | { ok: false; error: string };

/** The arguments of a command that sends one request: that request's fields, no more. */
export type ArgsOf<T extends RequestType> = Omit<RequestOf<T>, 'type'>;

/** The result of /logout, which the client itself makes (it owns the connection). */
export interface LoggedOut {
  kind: 'logged-out';
  username: string;
}

/** What a running command may use. */
export interface CommandContext {
  /** Only its request(): a test's fake is a few lines. */
  readonly connection: Pick<Connection, 'request'>;
  readonly transfers: Pick<TransferManager, 'sendFile'>;
  /** The logged-in user, null before login. */
  readonly me: string | null;
  /** Logs out and closes the connection. */
  logout(): Promise<LoggedOut>;
}

/** One command: its usage line, what it does (for help), its parser and what it runs. */
export interface ClientCommand<A, R> {
  /** Shown after every argument error. */
  usage: string;
  /** One line for help texts. */
  description: string;
  /**
   * Reads the text after the command name. `bad(problem)` is the error that names the
   * problem and the usage line.
   */
  parse(args: string, bad: (problem: string) => Parsed<never>): Parsed<A>;
  run(ctx: CommandContext, args: A): Promise<R>;
}

export const ok = <A>(args: A): Parsed<A> => ({ ok: true, args });

/** The whitespace-separated words of `args`. */
export const wordsOf = (args: string): string[] => args.split(/\s+/).filter(Boolean);

/** Splits off the first `count` whitespace-separated words; the rest keeps its inner spacing. */
export function splitWords(input: string, count: number): { words: string[]; rest: string } {
  const words: string[] = [];
  let rest = input.trimStart();
  while (words.length < count && rest.length > 0) {
    const match = /^(\S+)\s*/.exec(rest);
    if (!match) break;
    words.push(match[1]!);
    rest = rest.slice(match[0].length);
  }
  return { words, rest };
}

/** A positive whole number written in digits, or null. */
export function positive(word: string | undefined): number | null {
  if (word === undefined || !/^\d{1,6}$/.test(word)) return null;
  const n = Number(word);
  return n > 0 ? n : null;
}

/** The parser of a command without arguments. */
export const noArguments =
  (name: string) =>
  (args: string, bad: (problem: string) => Parsed<never>): Parsed<Record<string, never>> =>
    args.trim() !== '' ? bad(`/${name} takes no arguments`) : ok({});

/** The parser of a command whose one argument is a name (user or group). */
export const oneName =
  <K extends string>(key: K, missing: string) =>
  (args: string, bad: (problem: string) => Parsed<never>): Parsed<Record<K, string>> => {
    const words = wordsOf(args);
    if (words.length !== 1) return bad(words.length === 0 ? missing : 'Too many arguments');
    // A computed key widens to string; the object has exactly the key K.
    return ok({ [key]: words[0]! } as Record<K, string>);
  };
