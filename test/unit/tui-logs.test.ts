import fs from 'node:fs/promises';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyLogFiles, formatLogLine, takeLines } from '../../src/cli/log-lines.js';
import { runLogsCommand } from '../../src/cli/logs-command.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function logDir(): Promise<string> {
  const t = await makeTempDir('tessenger-logs-');
  cleanups.push(t.cleanup);
  return t.dir;
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('log lines', () => {
  it('finds the product logs, group logs and the diagnostic log in order', () => {
    const files = classifyLogFiles([
      'tessenger-server.log',
      'sith_messagelog.txt',
      'messagelog.txt',
      'jedi_messagelog.txt',
      'userlog.txt',
      'other.txt',
    ]);
    expect(files.map((f) => `${f.kind}:${f.name}`)).toEqual([
      'users:userlog.txt',
      'messages:messagelog.txt',
      'group:jedi_messagelog.txt',
      'group:sith_messagelog.txt',
      'diagnostics:tessenger-server.log',
    ]);
  });

  it('keeps product lines as written without colour, and colours them on request', () => {
    const line = '1; 01 Jun 2022 21:30:04; Yoda; hello; with semicolons';
    expect(formatLogLine('messages', line, false)).toBe(line);
    const coloured = formatLogLine('messages', line, true);
    expect(coloured).toContain('\x1b[');
    expect(stripVTControlCharacters(coloured)).toBe(line);
  });

  it('rewrites diagnostic JSON as time LEVEL message {meta}', () => {
    const json = '{"level":"warn","message":"bad frame","timestamp":"2026-01-01T00:00:00Z","n":2}';
    expect(formatLogLine('diagnostics', json, false)).toBe(
      '2026-01-01T00:00:00Z WARN  bad frame {"n":2}',
    );
    expect(formatLogLine('diagnostics', 'not json', false)).toBe('not json');
  });

  it('keeps a partial last line for later', () => {
    expect(takeLines('a\nb\npart')).toEqual({ lines: ['a', 'b'], rest: 'part' });
  });
});

describe('tessenger logs', () => {
  it('prints each file under a header, then follows appends, new files and rewrites', async () => {
    const dir = await logDir();
    await fs.writeFile(
      path.join(dir, 'userlog.txt'),
      '1; 01 Jun 2022 21:30:04; Yoda; 127.0.0.1; 6666\n',
    );
    await fs.writeFile(path.join(dir, 'messagelog.txt'), '');
    let out = '';
    const stop = new AbortController();
    const done = runLogsCommand(
      { logDir: dir, follow: true, lines: 0, colour: false, pollMs: 20, signal: stop.signal },
      (t) => {
        out += t;
      },
    );
    await until(() => out.includes('following new lines'));
    expect(out).toContain('== userlog.txt (who is online) ==\n1; 01 Jun 2022 21:30:04; Yoda;');
    expect(out).toContain('== messagelog.txt (direct messages) ==\n(empty)');
    await fs.appendFile(path.join(dir, 'messagelog.txt'), '1; 01 Jun 2022 21:31:00; obiwan; hi\n');
    await until(() => out.includes('[messagelog] 1; 01 Jun 2022 21:31:00; obiwan; hi'));
    await fs.writeFile(
      path.join(dir, 'jedi_messagelog.txt'),
      '1; 01 Jun 2022 21:32:00; Yoda; yes\n',
    );
    await until(() => out.includes('[jedi_messagelog] 1; 01 Jun 2022 21:32:00; Yoda; yes'));
    await fs.writeFile(path.join(dir, 'userlog.txt'), '');
    await until(() => out.includes('userlog.txt (who is online) rewritten'));
    stop.abort();
    expect(await done).toBe(0);
  });

  it('fails with one clear line when the folder is missing', async () => {
    const dir = path.join(await logDir(), 'nope');
    let err = '';
    const code = await runLogsCommand(
      { logDir: dir, follow: false, lines: 0, colour: false },
      () => {},
      (t) => {
        err += t;
      },
    );
    expect(code).toBe(1);
    expect(err).toBe(`No log folder at ${dir}. Use --log-dir to name one.\n`);
  });
});
