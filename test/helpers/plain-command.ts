/**
 * Typing commands into plain clients run as processes: send a line, wait for the command
 * list that ends its answer, return the answer without the notices (presence, receipts)
 * that may arrive at any moment.
 */
import { COMMAND_LIST } from '../../src/presentation/help.js';
import type { CliProcess } from './cli-process.js';

/** SPEC.md's timestamp, as a regular-expression source. */
export const TS = String.raw`\d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}`;

const NOTICE = new RegExp(
  `^(\\S+ logged (in|out)\\.|\\S+ is away(: .*|\\.)|\\S+ is back\\.|\\S+ received your message sent at ${TS}\\.)$`,
);

/** The text without notice lines. */
export function withoutNotices(text: string): string {
  return text
    .split('\n')
    .filter((line) => !NOTICE.test(line))
    .join('\n');
}

/** Sends a command and resolves with its answer (the lines before the next command list). */
export async function command(proc: CliProcess, line: string, timeoutMs = 20_000): Promise<string> {
  const from = proc.stdout.length;
  const before = proc.count(COMMAND_LIST);
  proc.line(line);
  const deadline = Date.now() + timeoutMs;
  while (proc.count(COMMAND_LIST) === before) {
    if (Date.now() > deadline) throw new Error(`no answer to ${line}: ${proc.stdout.slice(from)}`);
    await proc.waitFor(COMMAND_LIST, { from, timeoutMs });
  }
  return withoutNotices(proc.stdout.slice(from).split(COMMAND_LIST)[0]!).trim();
}
