/** Trust on first use: parsing the pins, the default location, and new/known/changed. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  changedServerText,
  defaultKnownServersPath,
  KnownServersFile,
  parseKnownServers,
} from '../../src/client/known-servers.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const A = `SHA256 ${'AB:'.repeat(31)}AB`;
const B = `SHA256 ${'CD:'.repeat(31)}CD`;

describe('known servers', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
  });
  afterEach(() => cleanup());

  it('parses pins, skipping comments and junk; the first pin of a server wins', () => {
    const pins = parseKnownServers(`# comment\nh:1 ${A}\nh:1 ${B}\ngarbage\n\nh:2 ${B}`);
    expect([...pins]).toEqual([
      ['h:1', A],
      ['h:2', B],
    ]);
  });

  it('finds the default file: TESSENGER_CONFIG_DIR, then XDG_CONFIG_HOME, then ~/.config', () => {
    expect(defaultKnownServersPath({ TESSENGER_CONFIG_DIR: '/c' }, '/h')).toBe('/c/known_servers');
    expect(defaultKnownServersPath({ XDG_CONFIG_HOME: '/x' }, '/h')).toBe(
      '/x/tessenger/known_servers',
    );
    expect(defaultKnownServersPath({}, '/h')).toBe('/h/.config/tessenger/known_servers');
  });

  it('pins a new server, accepts it again, refuses a changed certificate', async () => {
    const file = new KnownServersFile(path.join(dir, 'sub', 'known_servers'));
    expect(await file.check('h:1', A)).toEqual({ kind: 'new' });
    expect(await file.check('h:1', A)).toEqual({ kind: 'known' });
    expect(await file.check('h:2', B)).toEqual({ kind: 'new' });
    expect(await file.check('h:1', B)).toEqual({ kind: 'changed', pinned: A });
    expect(await fs.readFile(file.location, 'utf8')).toBe(`h:1 ${A}\nh:2 ${B}\n`);
    const text = changedServerText('h:1', A, B, file.location);
    expect(text).toContain(A);
    expect(text).toContain(B);
  });
});
