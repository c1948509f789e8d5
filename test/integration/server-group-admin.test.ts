/** /groups, /members, /invite, /leavegroup and registration through raw frames. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../helpers/server-fixture.js';

describe('group management', () => {
  const h = useTestServer();

  it('lists groups and members, invites (offline users too) and leaves', async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    await yoda.ok('creategroup', { group: 'jedi', members: ['obiwan'] });
    expect(await obiwan.ok('groups')).toEqual({
      groups: [{ group: 'jedi', state: 'invited', members: 2, invitedBy: 'Yoda' }],
    });
    expect((await obiwan.fail('invite', { group: 'jedi', user: 'Hans' })).code).toBe('NOT_JOINED');
    await obiwan.ok('joingroup', { group: 'jedi' });
    expect(await obiwan.ok('invite', { group: 'jedi', user: 'Hans' })).toEqual({
      group: 'jedi',
      user: 'Hans',
    });
    expect((await yoda.fail('invite', { group: 'jedi', user: 'Hans' })).message).toBe(
      'Hans is already invited to group chat jedi.',
    );
    expect((await yoda.fail('invite', { group: 'jedi', user: 'Luke' })).code).toBe('UNKNOWN_USER');
    expect(await yoda.ok('members', { group: 'jedi' })).toEqual({
      group: 'jedi',
      members: [
        { username: 'Yoda', state: 'joined', online: true },
        { username: 'obiwan', state: 'joined', online: true },
        { username: 'Hans', state: 'invited', online: false },
      ],
    });
    expect((await (await h.t.login('vader')).fail('members', { group: 'jedi' })).code).toBe(
      'NOT_MEMBER',
    );
    // Hans was offline: the invitation waits for him.
    const hans = await h.t.login('Hans');
    await hans.ok('inbox');
    expect(hans.pushes('group-invite')).toEqual([
      { type: 'group-invite', group: 'jedi', from: 'obiwan', members: ['Yoda', 'obiwan', 'Hans'] },
    ]);
    await hans.ok('joingroup', { group: 'jedi' });
    expect(await obiwan.ok('leavegroup', { group: 'jedi' })).toEqual({ group: 'jedi' });
    expect((await obiwan.fail('groupmsg', { group: 'jedi', text: 'x' })).code).toBe('NOT_MEMBER');
    expect((await obiwan.fail('leavegroup', { group: 'jedi' })).code).toBe('NOT_MEMBER');
    await h.restart();
    const y = await h.t.login('Yoda');
    expect(
      (await y.ok('members', { group: 'jedi' })).members.map(
        (m: { username: string }) => m.username,
      ),
    ).toEqual(['Yoda', 'Hans']);
    expect(await y.ok('groups')).toEqual({
      groups: [{ group: 'jedi', state: 'joined', members: 2, invitedBy: null }],
    });
  });
});

describe('membership pushes', () => {
  const h = useTestServer();

  it("tells a group's other online members who joined, was invited and left", async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    const hans = await h.t.login('Hans');
    await yoda.ok('creategroup', { group: 'jedi', members: ['obiwan', 'Hans'] });
    await obiwan.ok('joingroup', { group: 'jedi' });
    await obiwan.ok('invite', { group: 'jedi', user: 'vader' });
    await hans.ok('leavegroup', { group: 'jedi' });
    const event = (user: string, state: string, online: boolean) => ({
      type: 'group-member',
      group: 'jedi',
      user,
      state,
      online,
    });
    await yoda.ok('ping');
    expect(yoda.pushes('group-member')).toEqual([
      event('obiwan', 'joined', true),
      event('vader', 'invited', false),
      event('Hans', 'left', true),
    ]);
    // Each hears of the others, never of themselves (their own reply says it).
    await obiwan.ok('ping');
    expect(obiwan.pushes('group-member')).toEqual([
      event('vader', 'invited', false),
      event('Hans', 'left', true),
    ]);
    await hans.ok('ping');
    expect(hans.pushes('group-member')).toEqual([
      event('obiwan', 'joined', true),
      event('vader', 'invited', false),
    ]);
  });

  it('shows a member who blocked you as offline in the push, as /members does', async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    await yoda.ok('creategroup', { group: 'jedi', members: ['obiwan'] });
    await obiwan.ok('block', { user: 'Yoda' });
    await obiwan.ok('joingroup', { group: 'jedi' });
    await yoda.ok('ping');
    expect(yoda.pushes('group-member')).toEqual([
      { type: 'group-member', group: 'jedi', user: 'obiwan', state: 'joined', online: false },
    ]);
  });
});

describe('registration', () => {
  const closed = useTestServer();

  it('is off by default: an unknown name is an invalid username', async () => {
    const c = await closed.t.connect();
    expect((await c.login('Luke', 'x')).type).toBe('error');
    expect(
      (await c.fail('register', { username: 'Luke', password: 'x', udpPort: 6000 })).code,
    ).toBe('REGISTRATION_CLOSED');
  });
});

describe('registration allowed', () => {
  const h = useTestServer({ allowRegister: true });

  it('offers an unknown name, stores a hashed password atomically and logs in', async () => {
    const c = await h.t.connect();
    const offer = await c.fail('login', { username: 'Luke', password: 'new$pw!', udpPort: 6000 });
    expect(offer).toMatchObject({
      code: 'CAN_REGISTER',
      message: 'User Luke does not exist. Enter the same password again to create the account.',
    });
    expect(
      (await c.fail('register', { username: 'bad name', password: 'p', udpPort: 6000 })).code,
    ).toBe('BAD_USERNAME');
    expect(
      (await c.fail('register', { username: 'Luke', password: 'has space', udpPort: 6000 })).code,
    ).toBe('BAD_PASSWORD');
    expect(
      (await c.fail('register', { username: 'Yoda', password: 'p', udpPort: 6000 })).code,
    ).toBe('USERNAME_TAKEN');
    expect(
      await c.ok('register', { username: 'Luke', password: 'new$pw!', udpPort: 6000 }),
    ).toEqual({
      username: 'Luke',
      udp: expect.objectContaining({ port: h.t.server.udpPort, relay: true }),
      ticket: expect.any(String),
    });
    expect(h.t.lines).toContain('Luke registered');
    const file = await readFile(h.t.credentialsPath, 'utf8');
    const line = file.trim().split('\n').at(-1)!;
    expect(line).toMatch(/^Luke scrypt\$\S+\$\S+$/);
    expect(file).not.toContain('new$pw!');
    // The old accounts are untouched, and the new one works after a restart.
    expect(file.startsWith('Yoda wise@!manbaby\n')).toBe(true);
    await h.restart();
    const again = await h.t.connect();
    expect((await again.login('Luke', 'wrong')).type).toBe('error');
    expect((await again.login('Luke', 'new$pw!')).type).toBe('ok');
  });
});
