import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { formatTimestamp } from '../../src/util/time-format.js';
import { START_MS, useTestServer } from '../helpers/server-fixture.js';

const stamp = formatTimestamp(START_MS);

describe('server userlog.txt', () => {
  const h = useTestServer();

  it('appends at login and renumbers on logout', async () => {
    await h.t.login('Yoda', 6666);
    const obiwan = await h.t.login('obiwan', 7777);
    await h.t.login('Hans', 8888);
    expect(await h.t.readLog('userlog.txt')).toBe(
      `1; ${stamp}; Yoda; 127.0.0.1; 6666\n` +
        `2; ${stamp}; obiwan; 127.0.0.1; 7777\n` +
        `3; ${stamp}; Hans; 127.0.0.1; 8888\n`,
    );
    expect(await obiwan.ok('logout')).toEqual({});
    await obiwan.closed;
    expect(h.t.lines).toContain('obiwan logout');
    expect(await h.t.readLog('userlog.txt')).toBe(
      `1; ${stamp}; Yoda; 127.0.0.1; 6666\n2; ${stamp}; Hans; 127.0.0.1; 8888\n`,
    );
  });

  it('treats a killed connection as a logout', async () => {
    const yoda = await h.t.login('Yoda', 6666);
    await h.t.login('obiwan', 7777);
    yoda.destroy();
    await vi.waitFor(async () => {
      expect(await h.t.readLog('userlog.txt')).toBe(`1; ${stamp}; obiwan; 127.0.0.1; 7777\n`);
    });
    expect(h.t.lines).toContain('Yoda logout');
    // The name is free again.
    await h.t.login('Yoda', 6666);
  });

  it('is emptied when the server starts', async () => {
    // As if an earlier run had crashed with users online.
    await writeFile(path.join(h.t.logDir, 'userlog.txt'), '1; stale; Yoda; 1.2.3.4; 1\n');
    await h.restart();
    expect(await h.t.readLog('userlog.txt')).toBe('');
  });
});
