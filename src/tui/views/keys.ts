/**
 * Small facts about blessed's key events. blessed splits input into UTF-16 units, so a
 * character outside the BMP (most emoji) arrives as two halves that must be joined.
 */
import type blessed from 'blessed';

export class SurrogateJoiner {
  private high: string | null = null;

  /** The whole character once complete, else null. */
  feed(ch: string | undefined): string | null {
    if (ch === undefined || ch === '') return null;
    const code = ch.charCodeAt(0);
    if (ch.length === 1 && code >= 0xd800 && code <= 0xdbff) {
      this.high = ch;
      return null;
    }
    if (this.high !== null && ch.length === 1 && code >= 0xdc00 && code <= 0xdfff) {
      const joined = this.high + ch;
      this.high = null;
      return joined;
    }
    this.high = null;
    return ch;
  }
}

/** True for text to insert, false for control keys and escape sequences. */
export function isPrintable(ch: string, key: blessed.Widgets.Events.IKeyEventArg): boolean {
  if (key.ctrl || key.meta) return false;
  if (ch.length === 0 || ch.includes('\x1b')) return false;
  const code = ch.codePointAt(0) ?? 0;
  return code >= 0x20 && code !== 0x7f;
}
