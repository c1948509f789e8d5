/**
 * `tessenger logs [--log-dir DIR] [--follow]`: the server's userlog, messagelog, group logs
 * and diagnostic log, readable and coloured; with --follow, new lines as they are written,
 * as `tail -f` does (polling, which works on every file system and across rewrites).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { classifyLogFiles, formatLogLine, header, type LogFile, takeLines } from './log-lines.js';

export interface LogsConfig {
  logDir: string;
  follow: boolean;
  /** Lines shown of each file before following (0 = all). */
  lines: number;
  colour: boolean;
  pollMs?: number;
  /** Ends --follow (tests); SIGINT/SIGTERM otherwise. */
  signal?: AbortSignal;
}

interface Tracked {
  file: LogFile;
  offset: number;
  rest: string;
}

export async function runLogsCommand(
  config: LogsConfig,
  out: (text: string) => void = (t) => process.stdout.write(t),
  err: (text: string) => void = (t) => process.stderr.write(t),
): Promise<number> {
  const names = await listDir(config.logDir);
  if (names === null) {
    err(`No log folder at ${config.logDir}. Use --log-dir to name one.\n`);
    return 1;
  }
  const tracked = new Map<string, Tracked>();
  for (const file of classifyLogFiles(names)) {
    const text = await readText(path.join(config.logDir, file.name));
    const { lines, rest } = takeLines(text);
    const shown = config.lines > 0 ? lines.slice(-config.lines) : lines;
    out(`${header(file.title, config.colour)}\n`);
    if (shown.length === 0) out('(empty)\n');
    for (const l of shown) out(`${formatLogLine(file.kind, l, config.colour)}\n`);
    tracked.set(file.name, { file, offset: Buffer.byteLength(text), rest });
  }
  if (tracked.size === 0) out(`No Tessenger log files in ${config.logDir} yet.\n`);
  if (!config.follow) return 0;
  out(`${header('following new lines (Ctrl+C to stop)', config.colour)}\n`);
  await follow(config, tracked, out);
  return 0;
}

async function follow(
  config: LogsConfig,
  tracked: Map<string, Tracked>,
  out: (text: string) => void,
): Promise<void> {
  const stop = config.signal ?? signalOnInterrupt();
  while (!stop.aborted) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, config.pollMs ?? 300);
      stop.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (stop.aborted) break;
    const names = (await listDir(config.logDir)) ?? [];
    for (const file of classifyLogFiles(names)) {
      if (!tracked.has(file.name)) {
        tracked.set(file.name, { file, offset: 0, rest: '' });
        out(`${header(`new: ${file.title}`, config.colour)}\n`);
      }
      await poll(config, tracked.get(file.name)!, out);
    }
  }
}

/** Prints what was appended since the last poll; a file that shrank was rewritten. */
async function poll(config: LogsConfig, t: Tracked, out: (text: string) => void): Promise<void> {
  const full = path.join(config.logDir, t.file.name);
  let size: number;
  try {
    size = (await fs.stat(full)).size;
  } catch {
    return;
  }
  if (size === t.offset) return;
  if (size < t.offset) {
    // userlog.txt is renumbered in place when someone leaves: show it afresh.
    out(`${header(`${t.file.title} rewritten`, config.colour)}\n`);
    t.offset = 0;
    t.rest = '';
  }
  const handle = await fs.open(full, 'r');
  try {
    const buf = Buffer.alloc(size - t.offset);
    await handle.read(buf, 0, buf.length, t.offset);
    t.offset = size;
    const { lines, rest } = takeLines(t.rest + buf.toString('utf8'));
    t.rest = rest;
    const tag = `[${t.file.name.replace(/\.(txt|log)$/, '')}] `;
    for (const l of lines) out(`${tag}${formatLogLine(t.file.kind, l, config.colour)}\n`);
  } finally {
    await handle.close();
  }
}

function signalOnInterrupt(): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}

async function listDir(dir: string): Promise<string[] | null> {
  try {
    return await fs.readdir(dir);
  } catch {
    return null;
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return '';
  }
}
