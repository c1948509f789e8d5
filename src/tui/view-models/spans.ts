/**
 * What view-models produce: rows of styled spans, free of blessed tags, so tests read plain
 * text and styles; views/theme.ts turns them into tags for colour or monochrome terminals.
 */

export type Style =
  | 'time'
  | 'own'
  | 'info'
  | 'error'
  | 'marker'
  | 'day'
  | 'highlight'
  | 'dim'
  | 'bold'
  | 'bar'
  | 'active'
  | 'unread'
  | 'mention'
  | 'ok'
  | 'fail'
  | 'warn'
  | `nick${number}`;

export interface Span {
  text: string;
  style?: Style;
}

export type Row = Span[];

export const rowText = (row: Row): string => row.map((s) => s.text).join('');

/** Colours names get, as WeeChat does: the same name, the same colour, every time. */
export const NICK_COLOURS = 6;

export function nickStyle(name: string): Style {
  let h = 0;
  for (const ch of name) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return `nick${h % NICK_COLOURS}`;
}
