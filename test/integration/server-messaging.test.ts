import { describe, expect, it } from 'vitest';
import { formatTimestamp } from '../../src/util/time-format.js';
import { START_MS, useTestServer } from '../helpers/server-fixture.js';

describe('server /msgto and /activeuser', () => {
  const h = useTestServer();

  it('delivers a message, logs it under the receiver and prints the console line', async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    const reply = await yoda.ok('msgto', { to: 'obiwan', text: 'do or do not' });
    expect(reply).toEqual({ ts: START_MS, id: 1 });
    expect(await obiwan.push('message')).toEqual({
      type: 'message',
      from: 'Yoda',
      text: 'do or do not',
      ts: START_MS,
      id: 1,
    });
    const stamp = formatTimestamp(START_MS);
    expect(await h.t.readLog('messagelog.txt')).toBe(`1; ${stamp}; obiwan; do or do not\n`);
    expect(h.t.lines).toContain(`Yoda message to obiwan "do or do not" at ${stamp}.`);
    h.t.clock.advance(1000);
    await obiwan.ok('msgto', { to: 'Yoda', text: 'there is no try' });
    const stamp2 = formatTimestamp(START_MS + 1000);
    expect(await h.t.readLog('messagelog.txt')).toBe(
      `1; ${stamp}; obiwan; do or do not\n2; ${stamp2}; Yoda; there is no try\n`,
    );
  });

  it('refuses empty, unknown and self without a log line', async () => {
    const yoda = await h.t.login('Yoda');
    const empty = await yoda.fail('msgto', { to: 'obiwan', text: '  \t ' });
    expect(empty.code).toBe('EMPTY_MESSAGE');
    const unknown = await yoda.fail('msgto', { to: 'Luke', text: 'hi' });
    expect(unknown).toMatchObject({ code: 'UNKNOWN_USER', message: 'User Luke does not exist.' });
    const self = await yoda.fail('msgto', { to: 'Yoda', text: 'hi' });
    expect(self).toMatchObject({
      code: 'SELF',
      message: 'You cannot send a message to yourself.',
    });
    await expect(h.t.readLog('messagelog.txt')).rejects.toThrow(/ENOENT/);
  });

  it('keeps every log line on one line whatever the message holds', async () => {
    const yoda = await h.t.login('Yoda');
    const hans = await h.t.login('Hans');
    const text = 'line one\nline two\r\n\ttabbed \u0007bell \u001b[31mred';
    await yoda.ok('msgto', { to: 'Hans', text });
    // The receiver gets the text as sent; only the files and console are escaped.
    expect((await hans.push('message')).text).toBe(text);
    const escaped = 'line one\\nline two\\r\\n\\ttabbed \\u0007bell \\u001b[31mred';
    const stamp = formatTimestamp(START_MS);
    expect(await h.t.readLog('messagelog.txt')).toBe(`1; ${stamp}; Hans; ${escaped}\n`);
    expect(h.t.lines).toContain(`Yoda message to Hans "${escaped}" at ${stamp}.`);
  });

  it('echoes a hostile name escaped and cut', async () => {
    const yoda = await h.t.login('Yoda');
    const r = await yoda.fail('msgto', { to: `\u001b[2J${'n'.repeat(500)}`, text: 'hi' });
    expect(r.message).toBe(`User \\u001b[2J${'n'.repeat(76)} does not exist.`);
  });

  it('numbers concurrent messages from many senders 1..n with no line lost or torn', async () => {
    const names = ['Yoda', 'obiwan', 'Hans', 'vader'];
    const clients = await Promise.all(names.map((n) => h.t.login(n)));
    const tiger = await h.t.login('Tiger');
    const sends = clients.flatMap((c, i) =>
      Array.from({ length: 50 }, (_, k) =>
        c.ok('msgto', { to: 'Tiger', text: `${names[i]} #${k}` }),
      ),
    );
    await Promise.all(sends);
    const lines = (await h.t.readLog('messagelog.txt')).split('\n').filter(Boolean);
    expect(lines.map((l) => Number(l.split('; ')[0]))).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    expect(new Set(lines.map((l) => l.split('; ')[3])).size).toBe(200);
    // Each sender's messages reach the receiver in the order sent.
    const received: string[] = [];
    for (let n = 0; n < 200; n++) received.push((await tiger.push('message')).text);
    expect(received.filter((text) => text.startsWith('Hans '))).toEqual(
      Array.from({ length: 50 }, (_, k) => `Hans #${k}`),
    );
  });

  it('lists every other online user with endpoint and login time', async () => {
    const yoda = await h.t.login('Yoda', 6666);
    expect(await yoda.ok('activeuser')).toEqual({ users: [], tag: expect.any(Number) });
    h.t.clock.advance(5000);
    await h.t.login('obiwan', 7777);
    const users = (await yoda.ok('activeuser')).users;
    expect(users).toEqual([
      { username: 'obiwan', address: '127.0.0.1', udpPort: 7777, since: START_MS + 5000 },
    ]);
    expect(h.t.lines).toContain('Yoda issued /activeuser command');
  });

  it("answers a poll that sends the list's tag with a short 'unchanged' until the list changes", async () => {
    const yoda = await h.t.login('Yoda');
    const first = await yoda.ok('activeuser', { auto: true });
    expect(first.users).toEqual([]);
    expect(await yoda.ok('activeuser', { auto: true, tag: first.tag })).toEqual({
      users: [],
      tag: first.tag,
      unchanged: true,
    });
    const obiwan = await h.t.login('obiwan');
    const second = await yoda.ok('activeuser', { auto: true, tag: first.tag });
    expect(second.unchanged).toBeUndefined();
    expect(second.users.map((u: { username: string }) => u.username)).toEqual(['obiwan']);
    expect(second.tag).not.toBe(first.tag);
    // Whatever changes the list as Yoda sees it changes the tag: obiwan blocking him too.
    await obiwan.ok('block', { user: 'Yoda' });
    const third = await yoda.ok('activeuser', { auto: true, tag: second.tag });
    expect(third).toEqual({ users: [], tag: first.tag });
    // And an away text, which the list carries.
    await obiwan.ok('unblock', { user: 'Yoda' });
    const fourth = await yoda.ok('activeuser', { auto: true });
    await obiwan.ok('away', { text: 'meditating' });
    const fifth = await yoda.ok('activeuser', { auto: true, tag: fourth.tag });
    expect(fifth.users).toMatchObject([{ username: 'obiwan', away: 'meditating' }]);
    expect(h.t.lines).not.toContain('Yoda issued /activeuser command');
  });

  it('continues messagelog numbering after a restart', async () => {
    const yoda = await h.t.login('Yoda');
    await h.t.login('obiwan');
    await yoda.ok('msgto', { to: 'obiwan', text: 'first' });
    await yoda.ok('msgto', { to: 'obiwan', text: 'second' });
    await h.restart();
    const a = await h.t.login('Yoda');
    await h.t.login('obiwan');
    await a.ok('msgto', { to: 'obiwan', text: 'third' });
    const lines = (await h.t.readLog('messagelog.txt')).trim().split('\n');
    expect(lines.map((l) => l.split('; ')[0])).toEqual(['1', '2', '3']);
    expect(lines[2]).toMatch(/; obiwan; third$/);
  });

  it('logs a message that arrives in pieces exactly once', async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    const id = yoda.takeId();
    const bytes = JSON.stringify({ v: 1, id, type: 'msgto', to: 'obiwan', text: 'split' });
    for (const ch of `${bytes}\n`) yoda.writeRaw(ch);
    expect((await yoda.reply(id)).type).toBe('ok');
    expect((await obiwan.push('message')).text).toBe('split');
  });
});
