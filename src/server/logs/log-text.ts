/**
 * Shared pieces of the product's log lines (SPEC.md): the field separator and the escaping
 * that keeps one record on one line whatever a user typed.
 */

/** SPEC.md's field separator in every product log file. */
export const SEPARATOR = '; ';

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

// C0 controls, DEL, C1 controls and the Unicode line/paragraph separators: anything a
// terminal or a line-oriented reader could treat as a break or an escape sequence.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the same set, without the g flag
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Makes user text safe for a one-line record: `\n`, `\r`, `\t` become those two-character
 * escapes, other control characters `\u00XX`. Printable text (backslashes included) is kept
 * verbatim so ordinary messages read exactly as typed.
 * Example: `hi\nthere` (with a real newline) → `hi\nthere` (backslash, n).
 */
export function escapeLogText(text: string): string {
  // Almost every text has nothing to escape: a test is cheaper than a replace that copies.
  if (!HAS_CONTROL.test(text)) return text;
  return text.replace(
    CONTROL,
    (ch) => NAMED[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Joins fields with the separator, escaping each. */
export function formatRecord(fields: ReadonlyArray<string | number>): string {
  return fields.map((f) => escapeLogText(String(f))).join(SEPARATOR);
}
