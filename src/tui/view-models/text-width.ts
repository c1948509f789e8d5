/**
 * Terminal cell width of text, so wrapping and padding line up with wide (CJK) characters.
 * The wide ranges follow blessed's table (lib/unicode.js), which decides where blessed puts
 * each cell; a different table here would make panes drift by a column.
 */

const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2329, 0x232a],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff01, 0xff60],
  [0xffe0, 0xffe6],
  [0x20000, 0x3fffd],
];

const ZERO = /[\p{Mn}\p{Me}\p{Cf}\p{Cc}]/u;

/** Cells one code point takes: 0 (combining, control), 1, or 2 (wide). */
export function charWidth(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20) return 0;
  if (cp < 0x7f) return 1;
  if (ZERO.test(ch)) return 0;
  for (const [lo, hi] of WIDE) {
    if (cp < lo) return 1;
    if (cp <= hi) return 2;
  }
  return 1;
}

export function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += charWidth(ch);
  return w;
}

/** The longest prefix of `text` that fits in `width` cells. */
export function truncate(text: string, width: number): string {
  let w = 0;
  let out = '';
  for (const ch of text) {
    const cw = charWidth(ch);
    if (w + cw > width) break;
    w += cw;
    out += ch;
  }
  return out;
}

/** `text` cut with an ellipsis when too wide, then padded with spaces to exactly `width`. */
export function fitWidth(text: string, width: number): string {
  if (width <= 0) return '';
  const shown = textWidth(text) > width ? `${truncate(text, width - 1)}…` : text;
  return shown + ' '.repeat(Math.max(0, width - textWidth(shown)));
}

/**
 * Splits text into rows of at most `width` cells, breaking at spaces where it can and inside
 * long words where it must. Always returns at least one row.
 */
export function wrap(text: string, width: number): string[] {
  if (width <= 0) return [text];
  const rows: string[] = [];
  let row = '';
  let rowWidth = 0;
  for (const word of text.split(/(\s+)/)) {
    if (word === '') continue;
    const w = textWidth(word);
    if (rowWidth + w <= width) {
      row += word;
      rowWidth += w;
      continue;
    }
    if (/^\s+$/.test(word)) {
      rows.push(row);
      row = '';
      rowWidth = 0;
      continue;
    }
    if (w <= width && row !== '') {
      rows.push(row.trimEnd());
      row = word;
      rowWidth = w;
      continue;
    }
    for (const ch of word) {
      const cw = charWidth(ch);
      if (rowWidth + cw > width) {
        rows.push(row);
        row = '';
        rowWidth = 0;
      }
      row += ch;
      rowWidth += cw;
    }
  }
  rows.push(row);
  return rows;
}
