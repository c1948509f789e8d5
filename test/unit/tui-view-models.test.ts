import { describe, expect, it } from 'vitest';
import { ConversationStore } from '../../src/client/conversations.js';
import type { TransferInfo } from '../../src/client/transfers.js';
import {
  formatProgress,
  formatRoute,
  formatTransferFailed,
} from '../../src/presentation/transfer-text.js';
import { computeLayout } from '../../src/tui/view-models/layout.js';
import { messageRows, searchLines, visibleRows } from '../../src/tui/view-models/message-rows.js';
import { conversationRows, memberRows, userRows } from '../../src/tui/view-models/side-panes.js';
import { nickStyle, rowText } from '../../src/tui/view-models/spans.js';
import { statusRow, titleText } from '../../src/tui/view-models/status-line.js';
import { textWidth } from '../../src/tui/view-models/text-width.js';
import { escapeTags, rowToTags } from '../../src/tui/view-models/theme.js';
import {
  progressBar,
  shownTransfers,
  transferRow,
} from '../../src/tui/view-models/transfer-rows.js';

const at = (d: number, h: number, m: number) => new Date(2022, 5, d, h, m, 4).getTime();

function jedi() {
  const store = new ConversationStore();
  const g = store.ensure('group', 'jedi');
  store.add(g, { ts: at(1, 21, 30), kind: 'message', from: 'obiwan', text: 'hello there' });
  store.add(g, { ts: at(2, 9, 5), kind: 'own', from: 'Yoda', text: 'good morning young one' });
  return { store, g };
}

describe('message rows', () => {
  it('draws day-change lines, times, right-aligned names and the read marker', () => {
    const { g } = jedi();
    expect(g.readMarker).toBe(0);
    const rows = messageRows(g, { width: 80 }).map(rowText);
    expect(rows[0]).toMatch(/^─+ Wednesday, 01 Jun 2022 ─+$/);
    expect(rows[1]).toMatch(/^─+ new messages ─+$/);
    expect(rows[2]).toBe('21:30:04 obiwan │ hello there');
    expect(rows[3]).toMatch(/Thursday, 02 Jun 2022/);
    expect(rows[4]).toBe('09:05:04   Yoda │ good morning young one');
    for (const r of rows) expect(textWidth(r)).toBeLessThanOrEqual(80);
  });

  it('wraps long text under itself and drops seconds when narrow', () => {
    const { g } = jedi();
    g.readMarker = null;
    const rows = messageRows(g, { width: 30 }).map(rowText);
    expect(rows).toContain('09:05   Yoda │ good morning');
    expect(rows).toContain(`${' '.repeat(13)}│ young one`);
  });

  it('colours names by a stable hash and styles own lines', () => {
    const { g } = jedi();
    const rows = messageRows(g, { width: 60 });
    expect(rows[2]!.find((s) => s.text.includes('obiwan'))!.style).toBe(nickStyle('obiwan'));
    expect(rows[4]!.find((s) => s.text.includes('Yoda'))!.style).toBe('own');
  });

  it('marks own direct messages delivered or queued', () => {
    const store = new ConversationStore();
    const dm = store.ensure('direct', 'vader');
    store.add(dm, { ts: at(1, 9, 0), kind: 'own', from: 'Yoda', text: 'hi', delivered: true });
    store.add(dm, { ts: at(1, 9, 1), kind: 'own', from: 'Yoda', text: 'there', queued: true });
    const rows = messageRows(dm, { width: 80 }).map(rowText);
    expect(rows[1]).toBe('09:00:04 Yoda │ hi ✓');
    expect(rows[2]).toBe('09:01:04 Yoda │ there (queued)');
  });

  it('shows the bottom page and clamps scrolling', () => {
    const rows = Array.from({ length: 10 }, (_, i) => [{ text: String(i) }]);
    expect(visibleRows(rows, 3, 0).rows.map(rowText)).toEqual(['7', '8', '9']);
    expect(visibleRows(rows, 3, 4).rows.map(rowText)).toEqual(['3', '4', '5']);
    expect(visibleRows(rows, 3, 99)).toMatchObject({ offset: 7 });
  });

  it('finds lines by text or name', () => {
    const { g } = jedi();
    expect(searchLines(g, 'MORNING')).toEqual([1]);
    expect(searchLines(g, 'obi')).toEqual([0]);
  });
});

describe('side panes', () => {
  it('numbers conversations with unread and mention counts', () => {
    const { store, g } = jedi();
    const dm = store.ensure('direct', 'obiwan');
    store.add(dm, { ts: 0, kind: 'message', from: 'obiwan', text: 'hi', highlight: true });
    const rows = conversationRows(store.list(), 'server', 18).map(rowText);
    expect(rows).toEqual([' 1 server         ', ' 2 #jedi         1', ' 3 @obiwan      1!']);
    // Own lines are not unread.
    expect(g.unread).toBe(1);
  });

  it('lists online users sorted, with their active-since time', () => {
    const now = at(1, 22, 0);
    const users = [
      { username: 'vader', address: '1.2.3.4', udpPort: 1, since: at(1, 21, 30) },
      { username: 'Hans', address: '1.2.3.4', udpPort: 2, since: at(1, 8, 0) },
    ];
    expect(userRows(users, 16, now).map(rowText)).toEqual(['Hans       08:00', 'vader      21:30']);
    expect(userRows([], 16, now).map(rowText)).toEqual(['no other user   ']);
  });
});

describe('group members pane', () => {
  it('lists joined members first, noting who is offline or only invited', () => {
    const members = [
      { username: 'vader', state: 'invited' as const, online: true },
      { username: 'obiwan', state: 'joined' as const, online: false },
      { username: 'Yoda', state: 'joined' as const, online: true },
    ];
    expect(memberRows(members, 18).map(rowText)).toEqual([
      'obiwan     offline',
      'Yoda              ',
      'vader      invited',
    ]);
    expect(memberRows(members, 18)[0]![0]!.style).toBe('dim');
  });
});

describe('transfers panel', () => {
  const base: TransferInfo = {
    transferId: 't1',
    direction: 'receive',
    peer: 'obiwan',
    filename: 'clip.mp4',
    size: 1000,
    bytes: 500,
    rate: 2048,
    eta: 0.25,
    state: 'running',
  };

  it('draws a bar with percentage, rate, ETA and the direct link', () => {
    const row = rowText(transferRow(base, 70, false));
    expect(row).toMatch(/^ ↓ clip\.mp4 ← obiwan \[#+\.+\] {2}50% 2\.0 KiB\/s ETA 1s direct/);
    expect(textWidth(row)).toBe(70);
    expect(progressBar(0.5, 12)).toBe('[#####.....]');
  });

  it('names the path: finding, direct, NAT punched or relayed', () => {
    const tail = (route: TransferInfo['route']) =>
      rowText(transferRow({ ...base, route }, 90, false));
    expect(tail('finding')).toMatch(/ETA 1s finding a path/);
    expect(tail('direct')).toMatch(/ETA 1s direct *$/);
    expect(tail('punched')).toMatch(/ETA 1s direct \(NAT punched\)/);
    expect(tail('relayed')).toMatch(/ETA 1s relayed via server/);
    const send = { ...base, direction: 'send' as const };
    expect(formatRoute({ ...send, route: 'punched', routeMs: 123 })).toBe(
      'Path to obiwan: direct (NAT punched), found in 0.12 s',
    );
    expect(formatRoute({ ...send, route: 'relayed', routeMs: 3000 })).toBe(
      'no direct path to obiwan after 3.0 s: relaying through the server',
    );
    expect(formatRoute({ ...base, route: 'direct' })).toBe('Path from obiwan: direct');
    expect(formatProgress({ ...base, route: 'relayed' })).toMatch(/, relayed via server$/);
  });

  it('shows the outcome once finished', () => {
    const done = rowText(transferRow({ ...base, state: 'done', bytes: 1000 }, 70, true));
    expect(done).toMatch(/^>↓ clip\.mp4 ← obiwan \[#+\] 100% Received 1000 B/);
    const failed = rowText(
      transferRow({ ...base, state: 'failed', error: 'timed out' }, 70, false),
    );
    expect(failed).toContain('failed: timed out');
    const gone = { ...base, state: 'failed' as const, error: 'obiwan went offline' };
    expect(rowText(transferRow({ ...gone, peerOffline: true }, 70, false))).toContain(
      'stopped: obiwan went offline',
    );
    expect(formatTransferFailed({ ...gone, peerOffline: true })).toBe(
      'Transfer of clip.mp4 from obiwan stopped: obiwan went offline; 50% kept, send it again to resume.',
    );
  });

  it('lists running transfers first, then the newest finished', () => {
    const list = [
      { ...base, transferId: 'a', state: 'done' as const },
      { ...base, transferId: 'b' },
      { ...base, transferId: 'c', state: 'failed' as const },
    ];
    expect(shownTransfers(list, 3).map((t) => t.transferId)).toEqual(['b', 'c', 'a']);
  });
});

describe('status bar', () => {
  it('names the server, user, link state, pane and activity', () => {
    const { store } = jedi();
    const row = statusRow({
      now: at(1, 21, 31),
      server: '127.0.0.1:5000',
      user: 'Yoda',
      link: { state: 'waiting', attempt: 2, delayMs: 4000, reason: 'lost' },
      convs: store.list(),
      activeId: 'server',
      scrolled: 5,
      queued: 1,
      retryAt: at(1, 21, 31) + 3000,
    });
    expect(rowText(row)).toBe(
      '[21:31] [Yoda@127.0.0.1:5000] [disconnected, retry in 3s (try 2)] [1:server] [Act: 2] [1 queued] [-5 more below]',
    );
  });
});

describe('title bar', () => {
  it('says whether the peer of a direct chat is online', () => {
    const { store } = jedi();
    const dm = store.ensure('direct', 'obiwan');
    const since = at(1, 21, 30);
    expect(titleText(dm, 's', [{ username: 'obiwan', address: 'a', udpPort: 1, since }])).toBe(
      'Direct chat with obiwan (online since 21:30) | text you type goes to obiwan',
    );
    expect(titleText(dm, 's', [])).toContain('(not online)');
  });
});

describe('layout', () => {
  it('fits 80x24 with the users under the conversations', () => {
    const l = computeLayout(80, 24, 0);
    expect(l.users.left).toBe(0);
    expect(l.messages.width).toBe(80 - 19);
    expect(l.input.top).toBe(23);
    expect(l.transfers).toBeNull();
  });

  it('gives the users their own column when wide, and room for transfers', () => {
    const l = computeLayout(120, 40, 2);
    expect(l.users.left).toBe(98);
    expect(l.transfers).toMatchObject({ height: 3 });
    expect(l.messages.height + 3).toBe(40 - 3);
    expect(l.transfers).toMatchObject({ left: 0, width: 120 });
    expect(l.convs.height).toBe(l.messages.height);
  });
});

describe('theme', () => {
  it('escapes braces so text cannot inject tags', () => {
    expect(escapeTags('{bold}x{/bold}')).toBe('{open}bold{close}x{open}/bold{close}');
  });

  it('uses colours, or plain attributes without colour', () => {
    const row = [{ text: 'Yoda', style: 'error' as const }];
    expect(rowToTags(row, true)).toBe('{red-fg}Yoda{/red-fg}');
    expect(rowToTags(row, false)).toBe('{bold}Yoda{/bold}');
    expect(rowToTags([{ text: 'x', style: 'time' }], false)).toBe('x');
  });
});
