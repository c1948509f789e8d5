/** Owners write through: durable first, then memory; a refused write changes nothing. */
import { describe, expect, it } from 'vitest';
import { Blocks } from '../../src/server/blocks.js';
import { Groups } from '../../src/server/groups.js';
import type { NumberedLog } from '../../src/server/logs/message-log.js';

const log = {} as NumberedLog;

/** A store that records writes, or refuses them all while `down` is set. */
function fakeStore() {
  const writes: string[] = [];
  const store = {
    down: false,
    writes,
    async write(what: string) {
      if (store.down) throw new Error('disk full');
      writes.push(what);
    },
    setBlocked: (o: string, u: string, b: boolean) => store.write(`block ${o} ${u} ${b}`),
    createGroup: (g: { name: string }) => store.write(`create ${g.name}`),
    setMember: (g: string, m: { username: string; state: string }) =>
      store.write(`member ${g} ${m.username} ${m.state}`),
    removeMember: (g: string, u: string) => store.write(`remove ${g} ${u}`),
  };
  return store;
}

describe('Blocks', () => {
  it('writes the store, then memory; a failed write leaves memory as it was', async () => {
    const store = fakeStore();
    const blocks = new Blocks(store, [['Yoda', 'vader']]);
    await blocks.set('Yoda', 'Hans', true);
    expect(blocks.list('Yoda')).toEqual(['vader', 'Hans']);
    store.down = true;
    await expect(blocks.set('Yoda', 'vader', false)).rejects.toThrow('disk full');
    expect(blocks.has('Yoda', 'vader')).toBe(true);
    expect(store.writes).toEqual(['block Yoda Hans true']);
  });
});

describe('Groups', () => {
  it('creates, invites, joins and leaves through the store, one call each', async () => {
    const store = fakeStore();
    const groups = new Groups(store, async () => log);
    const jedi = await groups.create('jedi', 'Yoda', ['obiwan'], 1);
    expect(jedi?.members).toEqual(
      new Map([
        ['Yoda', 'joined'],
        ['obiwan', 'invited'],
      ]),
    );
    expect(await groups.create('jedi', 'Hans', ['Yoda'], 2)).toBeNull();
    await groups.join(jedi!, 'obiwan');
    await groups.invite(jedi!, 'Hans', 'obiwan');
    await groups.leave(jedi!, 'obiwan');
    expect([...jedi!.members]).toEqual([
      ['Yoda', 'joined'],
      ['Hans', 'invited'],
    ]);
    expect(jedi!.invitedBy.get('Hans')).toBe('obiwan');
    expect(store.writes).toEqual([
      'create jedi',
      'member jedi obiwan joined',
      'member jedi Hans invited',
      'remove jedi obiwan',
    ]);
  });

  it('holds a name while its creation is under way and frees it when the write fails', async () => {
    const store = fakeStore();
    const groups = new Groups(store, async () => log);
    store.down = true;
    const failing = groups.create('sith', 'vader', ['Tiger'], 1);
    expect(groups.has('sith')).toBe(true);
    expect(await groups.create('sith', 'Hans', ['Yoda'], 1)).toBeNull();
    await expect(failing).rejects.toThrow('disk full');
    expect(groups.has('sith')).toBe(false);
    store.down = false;
    const jedi = (await groups.create('jedi', 'Yoda', ['obiwan'], 1))!;
    store.down = true;
    await expect(groups.leave(jedi, 'obiwan')).rejects.toThrow('disk full');
    expect(jedi.members.has('obiwan')).toBe(true);
  });
});
