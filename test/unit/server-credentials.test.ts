import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadCredentials,
  malformedLineText,
  parseCredentials,
} from '../../src/server/credentials.js';
import { removeDir } from '../helpers/server-fixture.js';

describe('credentials.txt parsing', () => {
  it('reads pairs with shell metacharacters verbatim', () => {
    const { users, malformed } = parseCredentials(
      'Yoda wise@!manbaby\nobiwan (jedimaster)\nvader 666sithlord**\nThor $(mjolnir)\n',
    );
    expect([...users]).toEqual([
      ['Yoda', 'wise@!manbaby'],
      ['obiwan', '(jedimaster)'],
      ['vader', '666sithlord**'],
      ['Thor', '$(mjolnir)'],
    ]);
    expect(malformed).toEqual([]);
  });

  it('tolerates CRLF and blank lines, reports malformed ones by number', () => {
    const text = [
      'Yoda wise@!manbaby\r',
      '',
      'onlyname',
      'two  spaces',
      ' leading space',
      'three tokens here',
      '   ',
      'Hans wookie-aaaawww+87',
      'tab\tsep',
      'Yoda duplicate',
      'trailing space ',
    ].join('\n');
    const { users, malformed } = parseCredentials(text);
    expect([...users.keys()]).toEqual(['Yoda', 'Hans']);
    expect(users.get('Yoda')).toBe('wise@!manbaby');
    expect(malformed).toEqual([3, 4, 5, 6, 9, 10, 11]);
    expect(malformedLineText(3)).toBe('credentials.txt line 3 is malformed and was skipped');
  });

  it('never throws, whatever the bytes', () => {
    expect(() => parseCredentials('\u0000\uffff\n\n\r\r\n a b c')).not.toThrow();
    expect(parseCredentials('').users.size).toBe(0);
  });

  it('rejects with a clear message and the fs code when unreadable', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessenger-cred-'));
    try {
      const missing = path.join(dir, 'nope.txt');
      await expect(loadCredentials(missing)).rejects.toMatchObject({
        code: 'ENOENT',
        message: expect.stringContaining(`Cannot read credentials file ${missing}`),
      });
      const file = path.join(dir, 'credentials.txt');
      await writeFile(file, 'a b\n');
      expect((await loadCredentials(file)).users.get('a')).toBe('b');
    } finally {
      await removeDir(dir);
    }
  });
});
