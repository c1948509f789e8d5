/**
 * Keeps docs/TUI.md's picture of the main screen true: with TESSENGER_UPDATE_DOCS=1, the
 * screen a pty test reached replaces the block between the markers. Otherwise a no-op.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PtyTerminal } from './pty-terminal.js';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/TUI.md');
/** Replaces the block between `<!-- screen:NAME:start -->` and `<!-- screen:NAME:end -->`. */
export async function saveScreenDump(
  term: PtyTerminal,
  caption: string,
  name = 'main',
): Promise<void> {
  if (process.env.TESSENGER_UPDATE_DOCS !== '1') return;
  const START = `<!-- screen:${name}:start -->`;
  const END = `<!-- screen:${name}:end -->`;
  const doc = await fs.readFile(DOC, 'utf8');
  const from = doc.indexOf(START);
  const to = doc.indexOf(END);
  if (from < 0 || to < from) throw new Error(`docs/TUI.md lacks the ${START} ... ${END} markers`);
  const block = `${START}\n_${caption}, captured by test/e2e/tui-client.test.ts:_\n\n\`\`\`text\n${term.lines().join('\n')}\n\`\`\`\n`;
  await fs.writeFile(DOC, doc.slice(0, from) + block + doc.slice(to));
}
