import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CredentialsReloader } from '../../src/server/credentials-reload.js';
import { silentLogger } from '../../src/util/logger.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let dir: string;
let cleanup: () => Promise<void>;
let file: string;
let said: string[];
let reloader: CredentialsReloader;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  file = path.join(dir, 'credentials.txt');
  await writeFile(file, 'Yoda one\n');
  said = [];
  reloader = new CredentialsReloader(file, silentLogger, (line) => said.push(line));
  await reloader.prime();
});
afterEach(() => cleanup());

it('reads nothing while the file is unchanged', async () => {
  expect(await reloader.changed()).toBeNull();
  expect(await reloader.changed()).toBeNull();
});

it('reads a file replaced by rename once, then nothing until the next change', async () => {
  await writeFile(`${file}.tmp`, 'Yoda two\nLeia three\nbad line here\n');
  await rename(`${file}.tmp`, file);
  const fresh = await reloader.changed();
  expect(fresh && [...fresh.users]).toEqual([
    ['Yoda', 'two'],
    ['Leia', 'three'],
  ]);
  expect(said).toEqual(['credentials.txt line 3 is malformed and was skipped']);
  expect(await reloader.changed()).toBeNull();
});

it('logins arriving together share one read', async () => {
  await writeFile(file, 'Yoda changed\n');
  const [a, b] = await Promise.all([reloader.changed(), reloader.changed()]);
  expect(a).not.toBeNull();
  expect(b).toBe(a);
});

it('keeps what it has when the file is gone, and reads it when it is back', async () => {
  await rm(file);
  expect(await reloader.changed()).toBeNull();
  await writeFile(file, 'Hans four\n');
  expect((await reloader.changed())?.users.get('Hans')).toBe('four');
});
