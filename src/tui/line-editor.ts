/**
 * The input line as a pure value: text, cursor, and the edits readline users expect
 * (Ctrl+A/E/U/K/W, Home/End, Left/Right, Backspace/Delete). No terminal in sight.
 */

export interface EditorState {
  readonly text: string;
  /** Cursor as an index into the array of code points, so surrogate pairs stay whole. */
  readonly cursor: number;
}

export const EMPTY: EditorState = { text: '', cursor: 0 };

const points = (s: string): string[] => [...s];

export function setText(text: string): EditorState {
  return { text, cursor: points(text).length };
}

export function insert(s: EditorState, typed: string): EditorState {
  const p = points(s.text);
  const add = points(typed);
  p.splice(s.cursor, 0, ...add);
  return { text: p.join(''), cursor: s.cursor + add.length };
}

export type EditKey =
  | 'left'
  | 'right'
  | 'home'
  | 'end'
  | 'backspace'
  | 'delete'
  | 'kill-start'
  | 'kill-end'
  | 'kill-word';

/** Applies an editing key; returns the same state when it does not apply. */
export function edit(s: EditorState, key: EditKey): EditorState {
  const p = points(s.text);
  const c = s.cursor;
  switch (key) {
    case 'left':
      return { text: s.text, cursor: Math.max(0, c - 1) };
    case 'right':
      return { text: s.text, cursor: Math.min(p.length, c + 1) };
    case 'home':
      return { text: s.text, cursor: 0 };
    case 'end':
      return { text: s.text, cursor: p.length };
    case 'backspace':
      if (c === 0) return s;
      p.splice(c - 1, 1);
      return { text: p.join(''), cursor: c - 1 };
    case 'delete':
      if (c >= p.length) return s;
      p.splice(c, 1);
      return { text: p.join(''), cursor: c };
    case 'kill-start':
      return { text: p.slice(c).join(''), cursor: 0 };
    case 'kill-end':
      return { text: p.slice(0, c).join(''), cursor: c };
    case 'kill-word': {
      let i = c;
      while (i > 0 && /\s/.test(p[i - 1]!)) i--;
      while (i > 0 && !/\s/.test(p[i - 1]!)) i--;
      return { text: [...p.slice(0, i), ...p.slice(c)].join(''), cursor: i };
    }
  }
}

/** Cursor as a string index (for completion, which works on string offsets). */
export const cursorOffset = (s: EditorState): number =>
  points(s.text).slice(0, s.cursor).join('').length;

/** State from a string and a string-index cursor. */
export const fromOffset = (text: string, offset: number): EditorState => ({
  text,
  cursor: points(text.slice(0, offset)).length,
});

/** Key names blessed reports, mapped to edits. */
export const EDIT_KEYS: Readonly<Record<string, EditKey>> = {
  left: 'left',
  right: 'right',
  home: 'home',
  end: 'end',
  'C-a': 'home',
  'C-e': 'end',
  'C-b': 'left',
  'C-f': 'right',
  backspace: 'backspace',
  'C-h': 'backspace',
  delete: 'delete',
  'C-d': 'delete',
  'C-u': 'kill-start',
  'C-k': 'kill-end',
  'C-w': 'kill-word',
  'M-backspace': 'kill-word',
};
