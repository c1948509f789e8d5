/**
 * Tab completion as a pure function: what the word under the cursor can become, from the
 * command names, the usernames and group names known, and (for /p2pvideo) local files.
 * Repeated Tab cycles through the candidates, as in WeeChat and irssi.
 */

export interface CompletionSources {
  /** Command names without the slash. */
  commands: readonly string[];
  users: readonly string[];
  groups: readonly string[];
  /** Paths starting with `partial` (directories end in `/`); only file commands ask. */
  files(partial: string): string[];
}

/** Where a completion stands between two Tab presses. */
export interface CompletionState {
  start: number;
  candidates: string[];
  index: number;
  /** The line and cursor this state produced; any other edit starts afresh. */
  line: string;
  cursor: number;
}

export interface CompletionResult {
  line: string;
  cursor: number;
  state: CompletionState | null;
}

type Kind = 'command' | 'user' | 'group' | 'chat' | 'file' | 'help' | 'none';

/** Commands whose last argument is a local file, taken to the end of the line. */
const FILE_COMMANDS = new Set(['p2pvideo', 'groupvideo']);

/** Which kind of word sits at argument `arg` of command `cmd` (arg 0 = first argument). */
function argKind(cmd: string, arg: number): Kind {
  switch (cmd) {
    case 'msgto':
    case 'query':
    case 'block':
    case 'unblock':
      return arg === 0 ? 'user' : 'none';
    case 'p2pvideo':
      return arg === 0 ? 'user' : 'file';
    case 'groupvideo':
      return arg === 0 ? 'group' : 'file';
    case 'creategroup':
      return arg === 0 ? 'none' : 'user';
    case 'invite':
      return arg === 0 ? 'group' : arg === 1 ? 'user' : 'none';
    case 'history':
      return arg === 0 ? 'chat' : 'none';
    case 'joingroup':
    case 'groupmsg':
    case 'members':
    case 'leavegroup':
      return arg === 0 ? 'group' : 'none';
    case 'help':
      return arg === 0 ? 'help' : 'none';
    default:
      return 'none';
  }
}

/** Finds the word to complete: its start, the text typed so far and what it may become. */
function locate(line: string, cursor: number): { start: number; partial: string; kind: Kind } {
  const before = line.slice(0, cursor);
  const cmd = /^\/(\S*)/.exec(before);
  if (cmd && !/\s/.test(before)) return { start: 1, partial: cmd[1]!, kind: 'command' };
  if (cmd) {
    const name = cmd[1]!;
    const args = before.slice(cmd[0].length).replace(/^\s+/, '');
    const argsStart = before.length - args.length;
    // /p2pvideo takes the rest of the line as the file name, spaces and all.
    const userThen = /^(\S+)\s+/.exec(args);
    if (FILE_COMMANDS.has(name) && userThen) {
      const start = argsStart + userThen[0].length;
      return { start, partial: before.slice(start), kind: 'file' };
    }
    const words = args.split(/\s+/);
    const partial = words[words.length - 1] ?? '';
    return { start: cursor - partial.length, partial, kind: argKind(name, words.length - 1) };
  }
  const word = /(\S*)$/.exec(before)![1]!;
  return { start: cursor - word.length, partial: word, kind: 'user' };
}

function candidatesFor(kind: Kind, partial: string, sources: CompletionSources): string[] {
  const lower = partial.toLowerCase();
  const pick = (list: readonly string[]) =>
    [...new Set(list)].filter((s) => s.toLowerCase().startsWith(lower)).sort();
  switch (kind) {
    case 'command':
    case 'help':
      return pick(sources.commands);
    case 'user':
      return pick(sources.users);
    case 'group':
      return pick(sources.groups);
    case 'chat':
      return pick([...sources.users, ...sources.groups]);
    case 'file':
      return sources.files(partial).sort();
    case 'none':
      return [];
  }
}

/** Applies one Tab press to `line` with the cursor at `cursor`. */
export function tabComplete(
  line: string,
  cursor: number,
  previous: CompletionState | null,
  sources: CompletionSources,
): CompletionResult {
  if (previous && previous.line === line && previous.cursor === cursor) {
    const index = (previous.index + 1) % previous.candidates.length;
    return apply(line, previous.start, cursor, { ...previous, index });
  }
  const { start, partial, kind } = locate(line, cursor);
  const candidates = candidatesFor(kind, partial, sources);
  if (candidates.length === 0) return { line, cursor, state: null };
  return apply(line, start, cursor, { start, candidates, index: 0, line, cursor });
}

function apply(line: string, start: number, end: number, state: CompletionState): CompletionResult {
  const word = state.candidates[state.index]!;
  // A unique, complete word gets its separator; directories and cycles do not.
  const unique = state.candidates.length === 1 && !word.endsWith('/');
  // A name at the very start of a chat line addresses someone: `obiwan: `, as in IRC.
  const addressing = start === 0 && !line.startsWith('/');
  const sep = unique ? (addressing ? ': ' : ' ') : '';
  const rest = line.slice(end);
  const insert = sep === ' ' && rest.startsWith(' ') ? word : word + sep;
  const next = line.slice(0, start) + insert + rest;
  const cursor = start + insert.length;
  return { line: next, cursor, state: { ...state, line: next, cursor } };
}
