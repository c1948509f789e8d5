/**
 * The ChatStore behaviours every store must share, so the same server code runs on SQLite or
 * on Redis: numbering, queues and their caps, acknowledgements, delivery marks, history and
 * the state given back after reopening. Each store's test file runs them against its store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChatStore, QueueFullError } from '../../src/store/store.js';

/** One test's durable data: `open` gives a store over it, again after `close` (a reopening). */
export interface StoreData {
  open(maxQueued?: number): Promise<ChatStore>;
  cleanup(): Promise<void>;
}

export function storeContract(name: string, fresh: () => Promise<StoreData>): void {
  describe(`${name}: the ChatStore contract`, () => {
    let data: StoreData;
    let store: ChatStore;

    beforeEach(async () => {
      data = await fresh();
      store = await data.open();
    });

    afterEach(async () => {
      await store.close();
      await data.cleanup();
    });

    const direct = (from: string, to: string, text: string, ts = 1000, queued = false) =>
      store.addDirect({ ts, from, to, text, queued });

    it('numbers direct messages globally and continues after reserved numbers', async () => {
      expect((await direct('Yoda', 'obiwan', 'one')).n).toBe(1);
      store.reserveDirectNumbers(10);
      expect((await direct('obiwan', 'Yoda', 'two')).n).toBe(11);
      const history = await store.directHistory('Yoda', 'obiwan', 10);
      expect(history.map((m) => [m.n, m.from, m.text])).toEqual([
        [1, 'Yoda', 'one'],
        [11, 'obiwan', 'two'],
      ]);
      expect((await store.directHistory('obiwan', 'Yoda', 1)).map((m) => m.text)).toEqual(['two']);
      expect(await store.directHistory('Yoda', 'Hans', 10)).toEqual([]);
      expect((await store.directAfter(1)).map((m) => m.n)).toEqual([11]);
    });

    it('numbers group messages per group and queues them for offline members', async () => {
      for (const name of ['g1', 'g2']) {
        await store.createGroup({
          name,
          creator: 'Yoda',
          createdAt: 1,
          members: [{ username: 'Yoda', state: 'joined', invitedBy: null }],
        });
      }
      const a = await store.addGroupMessage({ group: 'g1', ts: 5, from: 'Yoda', text: 'a' }, [
        'Hans',
      ]);
      const b = await store.addGroupMessage({ group: 'g2', ts: 6, from: 'Yoda', text: 'b' }, []);
      const c = await store.addGroupMessage({ group: 'g1', ts: 7, from: 'Yoda', text: 'c' }, []);
      expect([a.n, b.n, c.n]).toEqual([1, 1, 2]);
      expect((await store.groupHistory('g1', 1)).map((m) => m.text)).toEqual(['c']);
      expect((await store.groupAfter('g1', 0)).map((m) => m.text)).toEqual(['a', 'c']);
      expect(await store.takeQueue('Hans', 10)).toMatchObject({
        events: [
          { type: 'group-message', group: 'g1', from: 'Yoda', text: 'a', ts: 5, offline: true },
        ],
        remaining: 0,
      });
      await expect(
        store.addGroupMessage({ group: 'nope', ts: 1, from: 'Yoda', text: 'x' }, []),
      ).rejects.toThrow(/no group/);
    });

    it('refuses a direct message to a full queue and stores nothing of it', async () => {
      await store.close();
      store = await data.open(1);
      await direct('Yoda', 'Hans', 'one', 1, true);
      const refused = await direct('Yoda', 'Hans', 'two', 2, true).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(QueueFullError);
      expect((refused as QueueFullError).username).toBe('Hans');
      expect((await store.directHistory('Yoda', 'Hans', 10)).map((m) => m.text)).toEqual(['one']);
      // Its number is free again.
      expect((await direct('Yoda', 'obiwan', 'three')).n).toBe(2);
      expect((await store.takeQueue('Hans', 10)).events).toMatchObject([{ text: 'one' }]);
      // A full queue drops other events.
      await direct('Yoda', 'Hans', 'four', 3, true);
      await store.enqueue('Hans', { type: 'broadcast', from: 'Yoda', text: 'x', ts: 4 });
      expect((await store.takeQueue('Hans', 10)).events).toMatchObject([{ text: 'four' }]);
    });

    it('keeps an offline queue in order and empties it when taken', async () => {
      await direct('Yoda', 'vader', 'first', 1, true);
      await store.enqueue('vader', { type: 'broadcast', from: 'Hans', text: 'x', ts: 2 });
      await direct('obiwan', 'vader', 'second', 3, true);
      const first = await store.takeQueue('vader', 2);
      expect(first.events.map((e) => e.type)).toEqual(['message', 'broadcast']);
      expect(first.events[0]).toMatchObject({
        from: 'Yoda',
        text: 'first',
        ts: 1,
        id: 1,
        offline: true,
      });
      expect(first.remaining).toBe(1);
      const rest = await store.takeQueue('vader', 2);
      expect(rest.events).toMatchObject([{ type: 'message', text: 'second' }]);
      expect(await store.takeQueue('vader', 2)).toEqual({ events: [], remaining: 0, lastId: 0 });
    });

    it('keeps handed-over rows until they are acknowledged', async () => {
      await direct('Yoda', 'vader', 'first', 1, true);
      await direct('Yoda', 'vader', 'second', 2, true);
      await direct('Yoda', 'vader', 'third', 3, true);
      const batch = await store.takeQueue('vader', 2, 0);
      expect(batch.events.map((e) => e.type === 'message' && e.text)).toEqual(['first', 'second']);
      expect(batch.remaining).toBe(1);
      // The client died before acknowledging: the same rows come again.
      const again = await store.takeQueue('vader', 2, 0);
      expect(again).toEqual(batch);
      const rest = await store.takeQueue('vader', 2, batch.lastId);
      expect(rest.events.map((e) => e.type === 'message' && e.text)).toEqual(['third']);
      expect(rest.remaining).toBe(0);
      expect(await store.takeQueue('vader', 2, rest.lastId)).toEqual({
        events: [],
        remaining: 0,
        lastId: 0,
      });
    });

    it('marks delivery once, only for the receiver', async () => {
      const m = await direct('Yoda', 'obiwan', 'hi');
      expect(await store.markDelivered(m.n, 'Hans', 50)).toBeNull();
      expect(await store.markDelivered(m.n + 1, 'obiwan', 50)).toBeNull();
      const first = await store.markDelivered(m.n, 'obiwan', 50);
      expect(first).toMatchObject({ first: true, record: { deliveredAt: 50 } });
      const again = await store.markDelivered(m.n, 'obiwan', 60);
      expect(again).toMatchObject({ first: false, record: { deliveredAt: 50 } });
      expect(await store.directHistory('obiwan', 'Yoda', 1)).toEqual([first!.record]);
    });

    it('gives history oldest first for both orders of a pair, a pair with itself, and groups', async () => {
      await direct('Yoda', 'obiwan', 'a');
      await direct('vader', 'vader', 'self');
      store.reserveDirectNumbers(5000);
      await direct('obiwan', 'Yoda', 'b');
      await direct('Yoda', 'Hans', 'other');
      await direct('Yoda', 'obiwan', 'c');
      for (const [a, b] of [
        ['Yoda', 'obiwan'],
        ['obiwan', 'Yoda'],
      ] as const) {
        expect((await store.directHistory(a, b, 2)).map((m) => m.text)).toEqual(['b', 'c']);
        expect((await store.directHistory(a, b, 10)).map((m) => m.text)).toEqual(['a', 'b', 'c']);
      }
      expect((await store.directHistory('vader', 'vader', 10)).map((m) => m.text)).toEqual([
        'self',
      ]);
      expect(await store.groupHistory('nope', 10)).toEqual([]);
      expect(await store.groupAfter('nope', 0)).toEqual([]);
    });

    it('sees every message as soon as its write has resolved, interleaved with more writes', async () => {
      const sent: string[] = [];
      for (let round = 0; round < 30; round++) {
        const batch = [
          direct('Yoda', 'obiwan', `y${round}`),
          direct('obiwan', 'Yoda', `o${round}`),
        ];
        sent.push(`y${round}`, `o${round}`);
        await Promise.all(batch);
        const got = await store.directHistory('obiwan', 'Yoda', 500);
        expect(got.map((m) => m.text)).toEqual(sent);
      }
    });

    it('gives back groups, members, blocks and last-seen times after reopening', async () => {
      await store.createGroup({
        name: 'jedi',
        creator: 'Yoda',
        createdAt: 1,
        members: [
          { username: 'Yoda', state: 'joined', invitedBy: null },
          { username: 'obiwan', state: 'invited', invitedBy: 'Yoda' },
          { username: 'Hans', state: 'invited', invitedBy: 'Yoda' },
        ],
      });
      await store.setMember('jedi', { username: 'obiwan', state: 'joined', invitedBy: 'Yoda' });
      await store.removeMember('jedi', 'Hans');
      await store.setBlocked('Yoda', 'vader', true);
      await store.setBlocked('Yoda', 'Hans', true);
      await store.setBlocked('Yoda', 'Hans', false);
      await store.setLastSeen('Yoda', 123);
      await store.setLastSeen('Yoda', 456);
      await store.close();
      store = await data.open();
      const snap = await store.load();
      expect(snap.groups).toEqual([
        {
          name: 'jedi',
          creator: 'Yoda',
          createdAt: 1,
          members: [
            { username: 'Yoda', state: 'joined', invitedBy: null },
            { username: 'obiwan', state: 'joined', invitedBy: 'Yoda' },
          ],
        },
      ]);
      expect(snap.blocks).toEqual([['Yoda', 'vader']]);
      expect(snap.lastSeen).toEqual(new Map([['Yoda', 456]]));
    });
  });
}
