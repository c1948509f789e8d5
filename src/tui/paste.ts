/**
 * Telling a paste from typing: a terminal delivers a paste as one chunk of input, so a chunk
 * holding a line break with more text after it is a paste of several lines. Those lines are
 * held until the user confirms, so they are not sent one by one by accident.
 */

/** The lines of a pasted chunk, or null when the chunk is ordinary typing. */
export function pastedLines(chunk: string): string[] | null {
  // Bracketed paste markers, when the terminal sends them.
  const text = chunk.split('\x1b[200~').join('').split('\x1b[201~').join('');
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length < 2) return null;
  // Escape sequences (arrows, mouse) arriving together are not a paste.
  if (lines.some((l) => l.includes('\x1b'))) return null;
  return lines;
}

/** The question shown while a paste waits. */
export const pasteQuestion = (n: number): string =>
  `Paste ${n} lines? Ctrl+Y sends them one by one, Ctrl+N or Esc cancels, Enter joins them.`;
