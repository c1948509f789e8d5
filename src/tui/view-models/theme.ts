/**
 * Styles → blessed tags. With colour, names get their own colours; without (a monochrome
 * terminal or NO_COLOR), the same facts are carried by bold, underline and inverse.
 */
import type { Row, Style } from './spans.js';

const COLOUR: Record<string, string> = {
  time: 'gray-fg',
  own: 'bold',
  info: 'cyan-fg',
  error: 'red-fg',
  marker: 'red-fg',
  day: 'blue-fg',
  highlight: 'yellow-fg',
  dim: 'gray-fg',
  bold: 'bold',
  bar: 'green-fg',
  active: 'inverse',
  unread: 'white-fg',
  mention: 'magenta-fg',
  ok: 'green-fg',
  fail: 'red-fg',
  warn: 'yellow-fg',
  nick0: 'green-fg',
  nick1: 'cyan-fg',
  nick2: 'magenta-fg',
  nick3: 'yellow-fg',
  nick4: 'blue-fg',
  nick5: 'light-red-fg',
};

const MONO: Record<string, string> = {
  own: 'bold',
  error: 'bold',
  marker: 'underline',
  day: 'underline',
  highlight: 'bold',
  bold: 'bold',
  active: 'inverse',
  mention: 'bold',
  fail: 'bold',
  warn: 'bold',
};

/** blessed reads `{` as a tag; these escapes print the braces themselves. */
export const escapeTags = (text: string): string =>
  text.replace(/[{}]/g, (c) => (c === '{' ? '{open}' : '{close}'));

export function styleTag(style: Style | undefined, colour: boolean): string | undefined {
  if (style === undefined) return undefined;
  return (colour ? COLOUR : MONO)[style];
}

export function rowToTags(row: Row, colour: boolean): string {
  let out = '';
  for (const span of row) {
    const tag = styleTag(span.style, colour);
    const text = escapeTags(span.text);
    out += tag ? `{${tag}}${text}{/${tag}}` : text;
  }
  return out;
}
