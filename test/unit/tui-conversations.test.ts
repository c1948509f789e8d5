import { describe, expect, it } from 'vitest';
import { ConversationStore, mentions } from '../../src/client/conversations.js';

const msg = (text: string, highlight = false) => ({
  ts: 0,
  kind: 'message' as const,
  from: 'obiwan',
  text,
  highlight,
});

describe('ConversationStore', () => {
  it('starts with the server conversation, active', () => {
    const s = new ConversationStore();
    expect(s.list().map((c) => c.id)).toEqual(['server']);
    expect(s.active.id).toBe('server');
  });

  it('counts unread and mentions away from the active one, and alerts on highlights', () => {
    const s = new ConversationStore();
    const dm = s.ensure('direct', 'obiwan');
    expect(s.add(dm, msg('hi', true))).toEqual({ alert: true });
    const g = s.ensure('group', 'jedi');
    expect(s.add(g, msg('hello all'))).toEqual({ alert: false });
    s.add(g, msg('hello all again'));
    expect([dm.unread, dm.mentions, g.unread, g.mentions]).toEqual([1, 1, 2, 0]);
    expect(s.ensure('direct', 'obiwan')).toBe(dm);
  });

  it('keeps the read marker at the first unseen line until the user leaves again', () => {
    const s = new ConversationStore();
    const g = s.ensure('group', 'jedi');
    s.focus(g.id);
    s.add(g, msg('seen'));
    expect(g.readMarker).toBeNull();
    s.focus('server');
    s.add(g, msg('unseen 1'));
    s.add(g, msg('unseen 2'));
    expect(g.readMarker).toBe(1);
    s.focus(g.id);
    expect([g.unread, g.readMarker]).toEqual([0, 1]);
    s.focus('server');
    expect(g.readMarker).toBeNull();
  });

  it('switches by number, cycles, and jumps to activity with mentions first', () => {
    const s = new ConversationStore();
    const a = s.ensure('direct', 'a');
    const b = s.ensure('group', 'b');
    expect(s.focusIndex(3)).toBe(true);
    expect(s.active).toBe(b);
    expect(s.focusIndex(9)).toBe(false);
    s.cycle(1);
    expect(s.active.id).toBe('server');
    s.cycle(-1);
    expect(s.active).toBe(b);
    s.focus('server');
    s.add(b, msg('x'));
    s.add(a, msg('y', true));
    expect(s.nextUnread()).toBe(true);
    expect(s.active).toBe(a);
  });

  it('drops the oldest lines past the cap, moving the marker with them', () => {
    const s = new ConversationStore(3);
    const g = s.ensure('group', 'g');
    for (const t of ['1', '2', '3', '4', '5']) s.add(g, msg(t));
    expect(g.lines.map((l) => l.text)).toEqual(['3', '4', '5']);
    expect(g.readMarker).toBe(0);
  });

  it('backfills history before the live lines, without repeats', () => {
    const s = new ConversationStore();
    const dm = s.ensure('direct', 'obiwan');
    s.add(dm, { ...msg('live'), ts: 30 });
    const history = [10, 20, 30].map((ts) => ({ ...msg(`h${ts}`), ts }));
    expect(s.backfill(dm, history)).toBe(2);
    expect(dm.lines.map((l) => l.text)).toEqual(['h10', 'h20', 'live']);
    expect(dm.readMarker).toBe(2);
    expect(s.backfill(dm, history)).toBe(0);
  });

  it('closes any conversation but the server one', () => {
    const s = new ConversationStore();
    const a = s.ensure('direct', 'a');
    s.focus(a.id);
    expect(s.close('server')).toBe(false);
    expect(s.close(a.id)).toBe(true);
    expect(s.active.id).toBe('server');
  });
});

describe('mentions', () => {
  it('matches the name as a word, any case', () => {
    expect(mentions('hey Yoda, come', 'Yoda')).toBe(true);
    expect(mentions('yoda!', 'Yoda')).toBe(true);
    expect(mentions('Yodas are small', 'Yoda')).toBe(false);
    expect(mentions('anything', '')).toBe(false);
  });
});
