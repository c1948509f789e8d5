/**
 * The active conversation as screen rows: a day-change line whenever the date changes, the
 * read marker before the first unseen line, `time name │ text` with the text wrapped under
 * itself, as WeeChat lays out a buffer.
 */
import type { ChatLine, Conversation } from '../../client/conversations.js';
import { nickStyle, type Row, rowText, type Span, type Style } from './spans.js';
import { fitWidth, textWidth, wrap } from './text-width.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const pad = (n: number) => String(n).padStart(2, '0');

export const clockTime = (ts: number, seconds: boolean): string => {
  const d = new Date(ts);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return seconds ? `${hm}:${pad(d.getSeconds())}` : hm;
};

export const dayLabel = (ts: number): string => {
  const d = new Date(ts);
  return `${DAYS[d.getDay()]}, ${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
};

const dayKey = (ts: number): string => new Date(ts).toDateString();

/** A full-width rule with a label in it: `──── label ────`. */
export function rule(label: string, width: number, style: Style): Row {
  const text = ` ${label} `;
  const left = Math.max(2, Math.floor((width - textWidth(text)) / 2));
  const right = Math.max(0, width - left - textWidth(text));
  return [{ text: `${'─'.repeat(left)}${text}${'─'.repeat(right)}`, style }];
}

export const READ_MARKER_LABEL = 'new messages';

export interface MessageRowOptions {
  width: number;
  /** Show seconds in times (wide panes). */
  seconds?: boolean;
}

/** Width of the name column: the longest name in view, within bounds. */
function nameColumn(lines: readonly ChatLine[]): number {
  let w = 4;
  for (const l of lines) if (l.from) w = Math.max(w, textWidth(l.from));
  return Math.min(w, 12);
}

function prefixFor(line: ChatLine, nameWidth: number): Span {
  switch (line.kind) {
    case 'info':
      return { text: fitWidth('--', nameWidth).replace(/^(\S+)(\s*)$/, '$2$1'), style: 'info' };
    case 'error':
      return { text: fitWidth('!!', nameWidth).replace(/^(\S+)(\s*)$/, '$2$1'), style: 'error' };
    default: {
      const name = fitWidth(line.from ?? '', nameWidth).trimEnd();
      const padded = ' '.repeat(nameWidth - textWidth(name)) + name;
      return { text: padded, style: line.kind === 'own' ? 'own' : nickStyle(line.from ?? '') };
    }
  }
}

/** Every direct message is a highlight for the counts; only group mentions are coloured. */
const textStyle = (line: ChatLine, group: boolean): Style | undefined => {
  if (line.kind === 'error') return 'error';
  if (line.kind === 'info') return 'info';
  return line.highlight && group ? 'highlight' : undefined;
};

/** After an own direct message: ✓ once the receiver's client has it, or that it waits. */
function receiptMark(line: ChatLine): Span[] {
  if (line.delivered) return [{ text: ' ✓', style: 'ok' }];
  if (line.queued) return [{ text: ' (queued)', style: 'dim' }];
  return [];
}

/** Every row of the conversation at this width, oldest first. */
export function messageRows(conv: Conversation, options: MessageRowOptions): Row[] {
  const { width } = options;
  const seconds = options.seconds ?? width >= 70;
  const nameWidth = nameColumn(conv.lines);
  const timeWidth = seconds ? 8 : 5;
  const indent = timeWidth + 1 + nameWidth + 3;
  const textWidthAvail = Math.max(8, width - indent);
  const rows: Row[] = [];
  let lastDay: string | null = null;
  conv.lines.forEach((line, i) => {
    const day = dayKey(line.ts);
    if (day !== lastDay) {
      rows.push(rule(dayLabel(line.ts), width, 'day'));
      lastDay = day;
    }
    if (conv.readMarker === i) rows.push(rule(READ_MARKER_LABEL, width, 'marker'));
    const mark = receiptMark(line);
    const parts = wrap(line.text, Math.max(8, textWidthAvail - textWidth(rowText(mark))));
    const style = textStyle(line, conv.kind !== 'direct');
    parts.forEach((part, j) => {
      const head: Span[] =
        j === 0
          ? [
              { text: clockTime(line.ts, seconds), style: 'time' },
              { text: ' ' },
              prefixFor(line, nameWidth),
              { text: ' │ ', style: 'dim' },
            ]
          : [{ text: `${' '.repeat(indent - 2)}│ `, style: 'dim' }];
      const row: Row = [...head, style ? { text: part, style } : { text: part }];
      if (j === parts.length - 1) row.push(...mark);
      rows.push(row);
    });
  });
  return rows;
}

/**
 * The rows a pane of `height` shows when scrolled `offset` rows up from the bottom; the
 * offset is clamped and returned so PgUp past the top stays at the top.
 */
export function visibleRows(
  rows: readonly Row[],
  height: number,
  offset: number,
): { rows: Row[]; offset: number } {
  const maxOffset = Math.max(0, rows.length - height);
  const clamped = Math.min(Math.max(0, offset), maxOffset);
  const end = rows.length - clamped;
  return { rows: rows.slice(Math.max(0, end - height), end), offset: clamped };
}

/** Indices of the conversation's lines whose text contains `query` (case-insensitive). */
export function searchLines(conv: Conversation, query: string): number[] {
  const q = query.toLowerCase();
  const hits: number[] = [];
  conv.lines.forEach((l, i) => {
    if (l.text.toLowerCase().includes(q) || (l.from ?? '').toLowerCase().includes(q)) hits.push(i);
  });
  return hits;
}
