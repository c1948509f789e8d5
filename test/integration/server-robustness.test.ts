import { mkdir, rm, writeFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { MAX_FRAME_BYTES } from '../../src/protocol/frame.js';
import { useTestServer } from '../helpers/server-fixture.js';

describe('server under bad input', () => {
  /** Diagnostics logged at error level, to check a failure leaves a trace. */
  const diagnostics: string[] = [];
  const h = useTestServer({
    logger: {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (message, meta) => diagnostics.push(`${message} ${JSON.stringify(meta)}`),
    },
  });

  /** Two users chat; returns a check that they still can. */
  async function chatters(): Promise<() => Promise<void>> {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    return async () => {
      await yoda.ok('msgto', { to: 'obiwan', text: 'still here?' });
      expect((await obiwan.push('message')).text).toBe('still here?');
    };
  }

  it('answers garbage and non-JSON with BAD_FRAME and keeps the connection', async () => {
    const stillChatting = await chatters();
    const bad = await h.t.connect();
    bad.writeRaw(Buffer.from([0xff, 0x00, 0xfe, 0x0a]));
    expect((await bad.frameError()).code).toBe('BAD_FRAME');
    bad.writeRaw('hello there\n');
    expect((await bad.frameError()).code).toBe('BAD_FRAME');
    bad.writeRaw('[1,2,3]\n');
    expect((await bad.frameError()).code).toBe('BAD_FRAME');
    bad.writeRaw('{"v":1,"type":"ping"}\n');
    expect((await bad.frameError()).code).toBe('BAD_FRAME');
    expect(await bad.ok('ping')).toEqual({});
    await stillChatting();
  });

  it('answers unknown types, wrong versions and bad fields with the frame id', async () => {
    const stillChatting = await chatters();
    const bad = await h.t.connect();
    bad.sendFrame({ v: 1, id: 41, type: 'launch' });
    expect(await bad.reply(41)).toMatchObject({ type: 'error', code: 'UNKNOWN_TYPE' });
    bad.sendFrame({ v: 2, id: 42, type: 'ping' });
    expect(await bad.reply(42)).toMatchObject({ type: 'error', code: 'UNSUPPORTED_VERSION' });
    bad.sendFrame({ v: 1, id: 43, type: 'login', username: 'Yoda', password: 'x', udpPort: 0 });
    expect(await bad.reply(43)).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    bad.sendFrame({ v: 1, id: 44, type: '__proto__' });
    expect(await bad.reply(44)).toMatchObject({ type: 'error', code: 'UNKNOWN_TYPE' });
    await stillChatting();
  });

  it('closes after an endless line, others unaffected', async () => {
    const stillChatting = await chatters();
    const bad = await h.t.connect();
    bad.writeRaw(Buffer.alloc(MAX_FRAME_BYTES + 10, 0x61));
    const err = await bad.frameError();
    expect(err.code).toBe('FRAME_TOO_LARGE');
    bad.end();
    await bad.closed;
    await stillChatting();
  });

  it('closes after ten bad frames in a row, not after nine', async () => {
    const stillChatting = await chatters();
    const bad = await h.t.connect();
    for (let i = 0; i < 9; i++) bad.writeRaw('nope\n');
    expect(await bad.ok('ping')).toEqual({});
    for (let i = 0; i < 10; i++) bad.writeRaw('nope\n');
    await bad.closed;
    expect(bad.frames.filter((f) => f.type === 'error')).toHaveLength(19);
    await stillChatting();
  });

  it('logs the user out when a bad client is cut off', async () => {
    const bad = await h.t.login('Hans');
    const yoda = await h.t.login('Yoda');
    for (let i = 0; i < 10; i++) bad.writeRaw('{\n');
    await bad.closed;
    expect((await yoda.ok('activeuser')).users).toEqual([]);
    expect(h.t.lines).toContain('Hans logout');
  });

  it('turns a failing handler into INTERNAL and keeps serving', async () => {
    const yoda = await h.t.login('Yoda');
    await h.t.login('obiwan');
    // Make the log folder unwritable: replace it with a file. A new group's log file cannot
    // be created there.
    await rm(h.t.logDir, { recursive: true });
    await writeFile(h.t.logDir, 'not a folder');
    const r = await yoda.fail('creategroup', { group: 'jedi', members: ['obiwan'] });
    expect(r.code).toBe('INTERNAL');
    expect(
      diagnostics.some((d) => d.startsWith('handler failed') && d.includes('creategroup')),
    ).toBe(true);
    expect(await yoda.ok('activeuser')).toMatchObject({ users: [{ username: 'obiwan' }] });
    await rm(h.t.logDir);
    await mkdir(h.t.logDir);
  });

  it('acknowledges a stored message whose log line failed, and writes the line later', async () => {
    const yoda = await h.t.login('Yoda');
    await h.t.login('obiwan');
    await rm(h.t.logDir, { recursive: true });
    await writeFile(h.t.logDir, 'not a folder');
    // Stored: the sender hears "sent"; the line is kept for the file's next append.
    await yoda.ok('msgto', { to: 'obiwan', text: 'kept' });
    expect(diagnostics.filter((d) => d.startsWith('log file behind'))).toHaveLength(1);
    await rm(h.t.logDir);
    await mkdir(h.t.logDir);
    await yoda.ok('msgto', { to: 'obiwan', text: 'after' });
    const lines = (await h.t.readLog('messagelog.txt')).trim().split('\n');
    expect(lines.map((l) => l.split('; ').slice(-1)[0])).toEqual(['kept', 'after']);
  });
});

describe('server output cap', () => {
  const h = useTestServer();

  it('drops a client that stops reading, and only that client', async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    const stuck = await h.t.login('Hans');
    stuck.pause();
    const text = 'x'.repeat(16 * 1024);
    // Well past the 4 MiB cap plus what the kernel's socket buffers can hold.
    for (let sent = 0; sent < 4000; sent++) {
      const reply = await yoda.request('msgto', { to: 'Hans', text });
      // Once Hans is dropped, messages to him are queued for his next login.
      if (reply.type === 'ok' && reply.data.queued) break;
    }
    await vi.waitFor(() => expect(h.t.lines).toContain('Hans logout'));
    await yoda.ok('msgto', { to: 'obiwan', text: 'fine?' });
    expect((await obiwan.push('message')).text).toBe('fine?');
  });
});
