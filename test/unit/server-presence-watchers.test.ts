/** Who hears of a presence change: group peers in groups up to a size, direct partners, not the blocked. */
import { describe, expect, it } from 'vitest';
import { Blocks } from '../../src/server/blocks.js';
import type { ClientSession, ServerContext } from '../../src/server/context.js';
import { Groups } from '../../src/server/groups.js';
import type { NumberedLog } from '../../src/server/logs/message-log.js';
import { MAX_PRESENCE_GROUP, presenceWatchers } from '../../src/server/notify.js';
import { Presence } from '../../src/server/presence.js';

const log = {} as NumberedLog;

function world(online: string[]) {
  const presence = new Presence();
  const sessions = new Map<string, ClientSession>();
  online.forEach((username, id) => {
    const session = { id, user: null } as unknown as ClientSession;
    sessions.set(username, session);
    presence.add({ username, address: '127.0.0.1', udpPort: 6000, since: 0 }, session);
  });
  const groups = new Groups(
    { createGroup: async () => {}, setMember: async () => {}, removeMember: async () => {} },
    async () => log,
  );
  const blocks = new Blocks({ setBlocked: async () => {} });
  const ctx = { presence, groups, blocks } as unknown as ServerContext;
  const watchers = (user: string) =>
    [...presenceWatchers(ctx, user)].map((s) => online[(s as { id: number }).id]).sort();
  return { presence, groups, blocks, watchers };
}

describe('presenceWatchers', () => {
  it('is nobody without groups or direct messages, however many are online', () => {
    const { watchers } = world(['Yoda', 'obiwan', 'Hans']);
    expect(watchers('Yoda')).toEqual([]);
  });

  it('is the online peers of groups up to MAX_PRESENCE_GROUP members and direct partners, minus the blocked', async () => {
    const names = Array.from({ length: MAX_PRESENCE_GROUP + 1 }, (_, i) => `u${i}`);
    const { presence, groups, blocks, watchers } = world([...names, 'Yoda', 'obiwan', 'Hans']);
    await groups.create('council', 'Yoda', ['obiwan', 'offline1'], 0);
    // Everyone online is in this one: too big to make contacts.
    await groups.create('everyone', 'Yoda', [...names.slice(0, MAX_PRESENCE_GROUP - 1), 'Hans'], 0);
    expect(groups.get('everyone')!.members.size).toBe(MAX_PRESENCE_GROUP + 1);
    expect(watchers('Yoda')).toEqual(['obiwan']);
    presence.talked('Hans', 'Yoda');
    expect(watchers('Yoda')).toEqual(['Hans', 'obiwan']);
    expect(watchers('Hans')).toEqual(['Yoda']);
    await blocks.set('Yoda', 'Hans', true);
    expect(watchers('Yoda')).toEqual(['obiwan']);
    // One member fewer and the group counts again.
    groups.get('everyone')!.members.delete('Hans');
    expect(watchers('u0')).toContain('Yoda');
  });

  it('remembers every direct partner since the start, both ways, however many', () => {
    const { presence, watchers } = world(['Yoda', 'p0', 'p999']);
    for (let i = 0; i < 1000; i++) presence.talked('Yoda', `p${i}`);
    expect(presence.partners('Yoda')).toHaveLength(1000);
    expect(presence.partners('p0')).toEqual(['Yoda']);
    expect(watchers('Yoda')).toEqual(['p0', 'p999']);
    expect(watchers('p999')).toEqual(['Yoda']);
  });
});
