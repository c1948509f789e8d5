/**
 * Durable state through a restart on the same folders: groups, memberships, offline queues
 * and history come back, and log files cut short by a crash are completed from the database.
 */
import { readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMessageLine } from '../../src/server/logs/message-log.js';
import { START_MS, useTestServer } from '../helpers/server-fixture.js';

describe('durable state across restarts', () => {
  const h = useTestServer();

  it('brings back groups and memberships; group numbering continues', async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    await h.t.login('Hans');
    await yoda.ok('creategroup', { group: 'jedi', members: ['obiwan', 'Hans'] });
    await obiwan.ok('joingroup', { group: 'jedi' });
    await yoda.ok('groupmsg', { group: 'jedi', text: 'one' });
    await h.restart();
    const y = await h.t.login('Yoda');
    const o = await h.t.login('obiwan');
    const hans = await h.t.login('Hans');
    expect((await hans.fail('groupmsg', { group: 'jedi', text: 'x' })).code).toBe('NOT_JOINED');
    await y.ok('groupmsg', { group: 'jedi', text: 'two' });
    expect((await o.push('group-message')).text).toBe('two');
    const log = await h.t.readLog('jedi_messagelog.txt');
    expect(log.split('\n').map((l) => l.split('; ')[0])).toEqual(['1', '2', '']);
    expect((await y.fail('creategroup', { group: 'jedi', members: ['Hans'] })).code).toBe(
      'GROUP_EXISTS',
    );
  });

  it('keeps offline messages queued through a restart, in order with their timestamps', async () => {
    const yoda = await h.t.login('Yoda');
    const reply = await yoda.ok('msgto', { to: 'vader', text: 'first' });
    expect(reply).toMatchObject({ queued: true, id: 1 });
    h.t.clock.advance(1000);
    await yoda.ok('msgto', { to: 'vader', text: 'second' });
    await h.restart();
    const vader = await h.t.login('vader');
    expect(await vader.ok('inbox')).toMatchObject({ count: 2, remaining: 0 });
    const got = vader.pushes('message');
    expect(got).toEqual([
      { type: 'message', from: 'Yoda', text: 'first', ts: START_MS, id: 1, offline: true },
      { type: 'message', from: 'Yoda', text: 'second', ts: START_MS + 1000, id: 2, offline: true },
    ]);
    expect(await vader.ok('inbox')).toMatchObject({ count: 0, remaining: 0 });
  });

  it('hands a long queue over in batches, in order', async () => {
    const yoda = await h.t.login('Yoda');
    for (let i = 1; i <= 450; i++) await yoda.ok('msgto', { to: 'vader', text: `m${i}` });
    const vader = await h.t.login('vader');
    expect(await vader.ok('inbox')).toMatchObject({ count: 200, remaining: 250 });
    expect(await vader.ok('inbox')).toMatchObject({ count: 200, remaining: 50 });
    expect(await vader.ok('inbox')).toMatchObject({ count: 50, remaining: 0 });
    const texts = vader.pushes('message').map((m) => (m.type === 'message' ? m.text : ''));
    expect(texts).toEqual(Array.from({ length: 450 }, (_, i) => `m${i + 1}`));
  });

  it('completes a messagelog.txt cut short by a crash, without gaps or repeats', async () => {
    const yoda = await h.t.login('Yoda');
    await h.t.login('obiwan');
    for (const text of ['a', 'b', 'c', 'd']) await yoda.ok('msgto', { to: 'obiwan', text });
    await h.t.close();
    const file = path.join(h.t.logDir, 'messagelog.txt');
    const whole = await readFile(file, 'utf8');
    // As if the server died after the database commit of c and d, halfway through c's line.
    const cut = whole.indexOf('3; ') + 10;
    await truncate(file, cut);
    await h.restart();
    const stamp = (n: number, text: string) => formatMessageLine(n, START_MS, 'obiwan', text);
    const expected = ['a', 'b', 'c', 'd'].map((t, i) => `${stamp(i + 1, t)}\n`).join('');
    expect(await h.t.readLog('messagelog.txt')).toBe(expected);
    const y = await h.t.login('Yoda');
    await h.t.login('obiwan');
    await y.ok('msgto', { to: 'obiwan', text: 'e' });
    expect(await h.t.readLog('messagelog.txt')).toBe(`${expected}${stamp(5, 'e')}\n`);
  });

  it('continues after a messagelog.txt older than the database', async () => {
    await h.t.close();
    const old = `${formatMessageLine(7, START_MS, 'obiwan', 'legacy')}\n`;
    await writeFile(path.join(h.t.logDir, 'messagelog.txt'), old);
    await h.restart();
    const yoda = await h.t.login('Yoda');
    expect(await yoda.ok('msgto', { to: 'obiwan', text: 'new' })).toMatchObject({ id: 8 });
  });
});
