import { describe, expect, it } from 'vitest';
import { InputHistory } from '../../src/presentation/input-history.js';
import { EMPTY, edit, insert, setText } from '../../src/tui/line-editor.js';
import { inputRow } from '../../src/tui/view-models/input-row.js';
import { fitWidth, textWidth, truncate, wrap } from '../../src/tui/view-models/text-width.js';

describe('text width', () => {
  it('counts CJK as two cells, combining marks as none', () => {
    expect(textWidth('abc')).toBe(3);
    expect(textWidth('日本語')).toBe(6);
    expect(textWidth('e\u0301')).toBe(1);
    expect(textWidth('ｈｉ')).toBe(4);
  });

  it('truncates and pads by cells, never splitting a wide character', () => {
    expect(truncate('日本語', 5)).toBe('日本');
    expect(fitWidth('日本語', 5)).toBe('日本…');
    expect(fitWidth('ab', 4)).toBe('ab  ');
    expect(textWidth(fitWidth('日本語x', 6))).toBe(6);
  });

  it('wraps at spaces, and inside words only when it must', () => {
    expect(wrap('the quick brown fox', 10)).toEqual(['the quick', 'brown fox']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrap('日本語日本語', 5)).toEqual(['日本', '語日', '本語']);
    expect(wrap('', 10)).toEqual(['']);
  });
});

describe('line editor', () => {
  it('inserts at the cursor and moves by code points', () => {
    let s = insert(EMPTY, 'hllo');
    s = edit(edit(edit(s, 'home'), 'right'), 'right');
    s = edit(s, 'left');
    s = insert(s, 'e');
    expect(s).toEqual({ text: 'hello', cursor: 2 });
    s = insert(setText('a'), '🎉');
    expect(s).toEqual({ text: 'a🎉', cursor: 2 });
    expect(edit(s, 'backspace')).toEqual({ text: 'a', cursor: 1 });
  });

  it('kills to the start, to the end and the word before the cursor', () => {
    const s = { text: 'say hello there', cursor: 9 };
    expect(edit(s, 'kill-start')).toEqual({ text: ' there', cursor: 0 });
    expect(edit(s, 'kill-end')).toEqual({ text: 'say hello', cursor: 9 });
    expect(edit(s, 'kill-word')).toEqual({ text: 'say  there', cursor: 4 });
    expect(edit({ text: 'x', cursor: 0 }, 'backspace')).toEqual({ text: 'x', cursor: 0 });
    expect(edit({ text: 'xy', cursor: 0 }, 'delete')).toEqual({ text: 'y', cursor: 0 });
  });

  it('scrolls a long line sideways so the cursor stays in view', () => {
    const row = inputRow('[server] ', setText('x'.repeat(100)), 40);
    expect(row.cursorCol).toBeLessThan(40);
    expect(textWidth(row.prompt + row.text)).toBeLessThanOrEqual(40);
    const wide = inputRow('> ', setText('日本語'), 40);
    expect(wide.cursorCol).toBe(2 + 6);
  });
});

describe('input history', () => {
  it('walks back and forth and keeps the draft', () => {
    const h = new InputHistory();
    h.push('/activeuser');
    h.push('hello');
    h.push('hello');
    h.push('   ');
    expect(h.size).toBe(2);
    expect(h.up('draft')).toBe('hello');
    expect(h.up('hello')).toBe('/activeuser');
    expect(h.up('/activeuser')).toBeNull();
    expect(h.down()).toBe('hello');
    expect(h.down()).toBe('draft');
    expect(h.down()).toBeNull();
  });

  it('keeps at most its cap', () => {
    const h = new InputHistory(2);
    for (const l of ['a', 'b', 'c']) h.push(l);
    expect(h.up('')).toBe('c');
    expect(h.up('')).toBe('b');
    expect(h.up('')).toBeNull();
  });
});
