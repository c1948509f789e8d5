/**
 * Offline delivery, delivery receipts, history and broadcast through raw frames, with the
 * fixture's ManualClock for every timestamp.
 */
import { describe, expect, it, vi } from 'vitest';
import { formatMessageLine } from '../../src/server/logs/message-log.js';
import { START_MS, useTestServer } from '../helpers/server-fixture.js';

describe('offline messages', () => {
  const h = useTestServer();

  it('queues /msgto to an offline user and delivers in order at login, logged at once', async () => {
    const yoda = await h.t.login('Yoda');
    expect(await yoda.ok('msgto', { to: 'vader', text: 'one' })).toEqual({
      ts: START_MS,
      id: 1,
      queued: true,
    });
    h.t.clock.advance(5000);
    await yoda.ok('msgto', { to: 'vader', text: 'two' });
    expect(await h.t.readLog('messagelog.txt')).toBe(
      `${formatMessageLine(1, START_MS, 'vader', 'one')}\n${formatMessageLine(2, START_MS + 5000, 'vader', 'two')}\n`,
    );
    h.t.clock.advance(60_000);
    const vader = await h.t.login('vader');
    expect(vader.pushes('message')).toEqual([]);
    expect(await vader.ok('inbox')).toMatchObject({ count: 2, remaining: 0 });
    const got = vader.pushes('message').map((m) => (m.type === 'message' ? [m.text, m.ts] : []));
    expect(got).toEqual([
      ['one', START_MS],
      ['two', START_MS + 5000],
    ]);
    expect(h.t.lines).toContain('vader received 2 queued message(s)');
  });

  it('hands the queue over at least once: a client that drops before acknowledging gets it again', async () => {
    const yoda = await h.t.login('Yoda');
    await yoda.ok('msgto', { to: 'vader', text: 'one' });
    await yoda.ok('msgto', { to: 'vader', text: 'two' });
    const first = await h.t.login('vader');
    const batch = (await first.ok('inbox', { ack: 0 })) as { count: number; lastId: number };
    expect(batch.count).toBe(2);
    expect(first.pushes('message')).toHaveLength(2);
    first.destroy();
    await vi.waitFor(() => expect(h.t.lines).toContain('vader logout'));
    const second = await h.t.login('vader');
    expect(await second.ok('inbox', { ack: 0 })).toMatchObject({ count: 2, remaining: 0 });
    expect(second.pushes('message').map((m) => m.type === 'message' && m.text)).toEqual([
      'one',
      'two',
    ]);
    expect(await second.ok('inbox', { ack: batch.lastId })).toEqual({
      count: 0,
      remaining: 0,
      lastId: 0,
    });
  });

  it('queues group messages for joined members who are offline, not for invited ones', async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    await h.t.login('Hans');
    await yoda.ok('creategroup', { group: 'jedi', members: ['obiwan', 'Hans'] });
    await obiwan.ok('joingroup', { group: 'jedi' });
    obiwan.destroy();
    await waitUntil(() => h.t.lines.includes('obiwan logout'));
    await yoda.ok('groupmsg', { group: 'jedi', text: 'while you were out' });
    const again = await h.t.login('obiwan');
    await again.ok('inbox');
    expect(again.pushes('group-message')).toEqual([
      {
        type: 'group-message',
        group: 'jedi',
        from: 'Yoda',
        text: 'while you were out',
        ts: START_MS,
        offline: true,
      },
    ]);
  });
});

describe('offline queue cap', () => {
  const h = useTestServer({ maxQueued: 2 });

  it('refuses a direct message once the receiver has too many waiting, and logs nothing', async () => {
    const yoda = await h.t.login('Yoda');
    await yoda.ok('msgto', { to: 'vader', text: 'one' });
    await yoda.ok('msgto', { to: 'vader', text: 'two' });
    expect(await yoda.fail('msgto', { to: 'vader', text: 'three' })).toMatchObject({
      code: 'QUEUE_FULL',
      message: 'vader is offline and has too many messages waiting; try again after they log in.',
    });
    expect((await h.t.readLog('messagelog.txt')).trim().split('\n')).toHaveLength(2);
    // The rolled-back message took no number.
    const vader = await h.t.login('vader');
    await vader.ok('msgto', { to: 'Yoda', text: 'back' });
    expect((await h.t.readLog('messagelog.txt')).trim().split('\n')[2]).toMatch(/^3; /);
  });
});

describe('delivery receipts', () => {
  const h = useTestServer();

  it('tells the sender when the receiver confirmed, at once or at their next login', async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    const { id } = await yoda.ok('msgto', { to: 'obiwan', text: 'hi' });
    const message = await obiwan.push('message');
    h.t.clock.advance(200);
    await obiwan.ok('delivered', { messageId: message.id });
    expect(await yoda.push('receipt')).toEqual({
      type: 'receipt',
      id,
      to: 'obiwan',
      ts: START_MS,
      deliveredAt: START_MS + 200,
    });
    // A second confirmation sends nothing more; someone else's is refused.
    await obiwan.ok('delivered', { messageId: id });
    expect((await yoda.fail('delivered', { messageId: id })).code).toBe('NO_SUCH_MESSAGE');
    // Sender offline: the receipt waits for them.
    const second = await yoda.ok('msgto', { to: 'obiwan', text: 'bye' });
    yoda.destroy();
    await waitUntil(() => h.t.lines.includes('Yoda logout'));
    await obiwan.ok('delivered', { messageId: second.id });
    const back = await h.t.login('Yoda');
    await back.ok('inbox');
    expect(back.pushes('receipt')).toMatchObject([{ id: second.id, to: 'obiwan' }]);
    expect(yoda.pushes('receipt')).toHaveLength(1);
  });
});

describe('history', () => {
  const h = useTestServer();

  it('returns the last N messages with a user or in a group, oldest first', async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    await h.t.login('Hans');
    for (const text of ['a', 'b', 'c']) {
      await yoda.ok('msgto', { to: 'obiwan', text });
      h.t.clock.advance(1000);
    }
    await obiwan.ok('msgto', { to: 'Yoda', text: 'd' });
    await yoda.ok('msgto', { to: 'Hans', text: 'not this one' });
    const last3 = await yoda.ok('history', { conversation: 'obiwan', limit: 3 });
    expect(last3.kind).toBe('direct');
    expect(
      last3.messages.map((m: { from: string; text: string }) => `${m.from}:${m.text}`),
    ).toEqual(['Yoda:b', 'Yoda:c', 'obiwan:d']);
    await yoda.ok('creategroup', { group: 'jedi', members: ['obiwan'] });
    await yoda.ok('groupmsg', { group: 'jedi', text: 'g1' });
    const group = await yoda.ok('history', { conversation: 'jedi', limit: 0 });
    expect(group).toMatchObject({ kind: 'group', messages: [{ n: 1, from: 'Yoda', text: 'g1' }] });
    expect((await obiwan.fail('history', { conversation: 'jedi', limit: 5 })).code).toBe(
      'NOT_JOINED',
    );
    expect((await obiwan.fail('history', { conversation: 'nobody', limit: 5 })).message).toBe(
      'No user or group chat named nobody. Usage: /history USERNAME|GROUPNAME [N]',
    );
  });
});

describe('broadcast', () => {
  const h = useTestServer();

  it('reaches every other online user except those who blocked the sender', async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    const vader = await h.t.login('vader');
    await vader.ok('block', { user: 'Yoda' });
    expect(await yoda.ok('broadcast', { text: 'hello all' })).toEqual({
      ts: START_MS,
      recipients: 1,
    });
    expect(await obiwan.push('broadcast')).toEqual({
      type: 'broadcast',
      from: 'Yoda',
      text: 'hello all',
      ts: START_MS,
    });
    expect(vader.pushes('broadcast')).toEqual([]);
    expect(yoda.pushes('broadcast')).toEqual([]);
    expect((await yoda.fail('broadcast', { text: '  ' })).code).toBe('EMPTY_MESSAGE');
  });
});

/** Waits for a condition the server reaches on its own (a dropped socket noticed). */
async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}
