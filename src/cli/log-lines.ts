/**
 * Pure formatting for `tessenger logs`: which files a log folder holds, and each line made
 * readable and coloured (ANSI) or left plain. The product's logs keep their text; only the
 * diagnostic JSON lines are rewritten as `time LEVEL message {meta}`.
 */

export type LogKind = 'users' | 'messages' | 'group' | 'diagnostics';

export interface LogFile {
  name: string;
  kind: LogKind;
  title: string;
}

export const DIAGNOSTIC_LOG = 'tessenger-server.log';

/** The files of a log folder `tessenger logs` shows, in a stable order. */
export function classifyLogFiles(names: readonly string[]): LogFile[] {
  const files: LogFile[] = [];
  if (names.includes('userlog.txt')) {
    files.push({ name: 'userlog.txt', kind: 'users', title: 'userlog.txt (who is online)' });
  }
  if (names.includes('messagelog.txt')) {
    files.push({
      name: 'messagelog.txt',
      kind: 'messages',
      title: 'messagelog.txt (direct messages)',
    });
  }
  for (const name of [...names].sort()) {
    const m = /^([A-Za-z0-9]+)_messagelog\.txt$/.exec(name);
    if (m) files.push({ name, kind: 'group', title: `${name} (group ${m[1]})` });
  }
  if (names.includes(DIAGNOSTIC_LOG)) {
    files.push({
      name: DIAGNOSTIC_LOG,
      kind: 'diagnostics',
      title: `${DIAGNOSTIC_LOG} (diagnostics)`,
    });
  }
  return files;
}

const ESC = '\x1b[';
const paint = (on: boolean, code: string, text: string) =>
  on ? `${ESC}${code}m${text}${ESC}0m` : text;
const NAME_CODES = ['32', '36', '35', '33', '34', '91'];

function nameColour(on: boolean, name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return paint(on, NAME_CODES[h % NAME_CODES.length]!, name);
}

/** `== title ==` as a section header. */
export const header = (title: string, colour: boolean): string =>
  paint(colour, '1;34', `== ${title} ==`);

const LEVEL_CODES: Record<string, string> = {
  error: '31',
  warn: '33',
  info: '32',
  debug: '90',
};

function diagnosticLine(line: string, colour: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null) return line;
  const { timestamp, level, message, ...meta } = entry;
  const lvl = String(level ?? 'info');
  const rest = Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : '';
  return [
    paint(colour, '90', String(timestamp ?? '')),
    paint(colour, LEVEL_CODES[lvl] ?? '0', lvl.toUpperCase().padEnd(5)),
    String(message ?? '') + paint(colour, '90', rest),
  ].join(' ');
}

/**
 * One line of a log file made readable. Product lines are `<n>; <time>; <name>; <rest>`:
 * the number dimmed, the time grey, the name in its colour, the rest as written.
 */
export function formatLogLine(kind: LogKind, line: string, colour: boolean): string {
  if (kind === 'diagnostics') return diagnosticLine(line, colour);
  const parts = line.split('; ');
  if (parts.length < 3 || !/^\d+$/.test(parts[0]!)) return line;
  const [n, time, name, ...rest] = parts;
  const sep = paint(colour, '90', '; ');
  return [
    paint(colour, '2', n!),
    paint(colour, '90', time!),
    nameColour(colour, name!),
    ...rest,
  ].join(sep);
}

/** Splits appended text into whole lines, keeping a trailing partial line for later. */
export function takeLines(buffered: string): { lines: string[]; rest: string } {
  const parts = buffered.split('\n');
  const rest = parts.pop() ?? '';
  return { lines: parts.filter((l) => l !== ''), rest };
}
