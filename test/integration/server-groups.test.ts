import { access } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTimestamp } from '../../src/util/time-format.js';
import { START_MS, useTestServer } from '../helpers/server-fixture.js';

describe('server groups', () => {
  const h = useTestServer();

  it('creates a group, invites, joins and fans out only to joined members', async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    const hans = await h.t.login('Hans');
    const created = await yoda.ok('creategroup', {
      group: 'jedi1',
      members: ['obiwan', 'Hans', 'obiwan', 'Yoda'],
    });
    expect(created).toEqual({ group: 'jedi1', members: ['Yoda', 'obiwan', 'Hans'] });
    expect(await h.t.readLog('jedi1_messagelog.txt')).toBe('');
    expect(h.t.lines).toContain(
      'Group chat room has been created, room name: jedi1, users in this room: Yoda, obiwan, Hans',
    );
    const invite = {
      type: 'group-invite',
      group: 'jedi1',
      from: 'Yoda',
      members: ['Yoda', 'obiwan', 'Hans'],
    };
    expect(await obiwan.push('group-invite')).toEqual(invite);
    expect(await hans.push('group-invite')).toEqual(invite);

    // Invited but not joined: may not send, and receives nothing.
    const notJoined = await hans.fail('groupmsg', { group: 'jedi1', text: 'hi' });
    expect(notJoined).toMatchObject({
      code: 'NOT_JOINED',
      message: 'Please join the group before sending messages.',
    });
    expect(await obiwan.ok('joingroup', { group: 'jedi1' })).toEqual({ group: 'jedi1' });
    expect(h.t.lines).toContain('obiwan joined group chat jedi1');
    const again = await obiwan.fail('joingroup', { group: 'jedi1' });
    expect(again).toMatchObject({
      code: 'ALREADY_JOINED',
      message: 'You have already joined Groupchat jedi1',
    });

    expect(await yoda.ok('groupmsg', { group: 'jedi1', text: 'meeting at noon' })).toEqual({
      ts: START_MS,
    });
    expect(await obiwan.push('group-message')).toEqual({
      type: 'group-message',
      group: 'jedi1',
      from: 'Yoda',
      text: 'meeting at noon',
      ts: START_MS,
    });
    h.t.clock.advance(2000);
    await obiwan.ok('groupmsg', { group: 'jedi1', text: 'ok' });
    expect((await yoda.push('group-message')).text).toBe('ok');
    // A round trip after both messages: had Hans been pushed anything, it would be here.
    await hans.ok('ping');
    expect(hans.pushes('group-message')).toEqual([]);
    const s1 = formatTimestamp(START_MS);
    const s2 = formatTimestamp(START_MS + 2000);
    expect(await h.t.readLog('jedi1_messagelog.txt')).toBe(
      `1; ${s1}; Yoda; meeting at noon\n2; ${s2}; obiwan; ok\n`,
    );
    expect(h.t.lines).toContain(
      `Yoda issued a message in group chat jedi1: 1; ${s1}; Yoda; meeting at noon`,
    );
  });

  it('refuses bad creations and creates nothing', async () => {
    const yoda = await h.t.login('Yoda');
    await h.t.login('obiwan');
    expect(await yoda.fail('creategroup', { group: 'g1', members: [] })).toMatchObject({
      code: 'NEED_MEMBERS',
      message: 'Please enter at least one more active users.',
    });
    expect(await yoda.fail('creategroup', { group: 'g1', members: ['Yoda'] })).toMatchObject({
      code: 'NEED_MEMBERS',
    });
    const bad = await yoda.fail('creategroup', { group: 'bad-name', members: ['obiwan'] });
    expect(bad.code).toBe('BAD_GROUP_NAME');
    expect(bad.message).toBe(
      'Group name must contain only letters and digits: bad-name. Usage: /creategroup GROUPNAME USERNAME [USERNAME ...]',
    );
    const long = await yoda.fail('creategroup', { group: 'a'.repeat(65), members: ['obiwan'] });
    expect(long.code).toBe('BAD_GROUP_NAME');
    const unknown = await yoda.fail('creategroup', { group: 'g1', members: ['obiwan', 'Luke'] });
    expect(unknown).toMatchObject({ code: 'UNKNOWN_USER', message: 'User Luke does not exist.' });
    const offline = await yoda.fail('creategroup', { group: 'g1', members: ['obiwan', 'vader'] });
    expect(offline).toMatchObject({ code: 'USER_OFFLINE', message: 'vader is offline.' });
    await expect(access(path.join(h.t.logDir, 'g1_messagelog.txt'))).rejects.toThrow();
    await yoda.ok('creategroup', { group: 'g1', members: ['obiwan'] });
    const dup = await yoda.fail('creategroup', { group: 'g1', members: ['obiwan'] });
    expect(dup).toMatchObject({
      code: 'GROUP_EXISTS',
      message: 'Failed to create the group chat g1: group name exists!',
    });
  });

  it('refuses joins and messages from the wrong people', async () => {
    const yoda = await h.t.login('Yoda');
    await h.t.login('obiwan');
    const vader = await h.t.login('vader');
    await yoda.ok('creategroup', { group: 'council', members: ['obiwan'] });
    expect(await vader.fail('joingroup', { group: 'nope' })).toMatchObject({
      code: 'NO_SUCH_GROUP',
      message: "Groupchat nope doesn't exist.",
    });
    expect(await vader.fail('joingroup', { group: 'council' })).toMatchObject({
      code: 'NOT_INVITED',
      message: 'You are not invited to group chat council.',
    });
    expect(await yoda.fail('joingroup', { group: 'council' })).toMatchObject({
      code: 'ALREADY_JOINED',
    });
    expect(await vader.fail('groupmsg', { group: 'nope', text: 'x' })).toMatchObject({
      code: 'NO_SUCH_GROUP',
      message: 'The group chat does not exist.',
    });
    expect(await vader.fail('groupmsg', { group: 'council', text: 'x' })).toMatchObject({
      code: 'NOT_MEMBER',
      message: 'You are not in this group chat.',
    });
    expect(await yoda.fail('groupmsg', { group: 'council', text: '   ' })).toMatchObject({
      code: 'EMPTY_MESSAGE',
    });
    expect(await h.t.readLog('council_messagelog.txt')).toBe('');
  });
});
