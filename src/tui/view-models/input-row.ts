/**
 * The input row: a prompt naming where text goes, then the line being typed, scrolled
 * sideways so the cursor always stays in view, and the column the cursor sits in.
 */
import type { EditorState } from '../line-editor.js';
import { charWidth, textWidth } from './text-width.js';

export interface InputRow {
  prompt: string;
  /** The visible part of the text. */
  text: string;
  /** Screen column of the cursor, counted from the start of the row. */
  cursorCol: number;
}

export function inputRow(prompt: string, editor: EditorState, width: number): InputRow {
  const chars = [...editor.text];
  const room = Math.max(4, width - textWidth(prompt) - 1);
  // Start the view far enough right that the cursor fits, keeping a little context.
  let start = 0;
  let before = 0;
  for (let i = 0; i < editor.cursor; i++) before += charWidth(chars[i]!);
  while (before > room - 1 && start < editor.cursor) {
    before -= charWidth(chars[start]!);
    start++;
  }
  let text = '';
  let used = 0;
  for (let i = start; i < chars.length; i++) {
    const w = charWidth(chars[i]!);
    if (used + w > room) break;
    text += chars[i];
    used += w;
  }
  return { prompt, text, cursorCol: textWidth(prompt) + before };
}
