import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGroupLog, groupLogPath } from '../../src/server/logs/group-log.js';
import { escapeLogText } from '../../src/server/logs/log-text.js';
import { formatMessageLine, openMessageLog } from '../../src/server/logs/message-log.js';
import { formatUserLogLine, UserLog } from '../../src/server/logs/user-log.js';
import { readLogTail } from '../../src/store/log-tail.js';
import { removeDir } from '../helpers/server-fixture.js';

// Fixed zone so the expected strings below are literal.
process.env.TZ = 'UTC';
const T = Date.UTC(2022, 5, 1, 21, 30, 4);

describe('product log formatters', () => {
  it('formats a userlog line as in SPEC.md', () => {
    const entry = { username: 'Yoda', since: T, address: '129.64.1.11', udpPort: 6666 };
    expect(formatUserLogLine(1, entry)).toBe('1; 01 Jun 2022 21:30:04; Yoda; 129.64.1.11; 6666');
  });

  it('formats a message line', () => {
    expect(formatMessageLine(7, T + 5000, 'obiwan', 'do or do not')).toBe(
      '7; 01 Jun 2022 21:30:09; obiwan; do or do not',
    );
  });

  it('escapes control characters but keeps printable text verbatim', () => {
    expect(escapeLogText('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
    expect(escapeLogText('\u0000\u001b\u007f\u0085\u2028')).toBe(
      '\\u0000\\u001b\\u007f\\u0085\\u2028',
    );
    expect(escapeLogText('wise@!manbaby; "quoted" \\ ünïcode 😀')).toBe(
      'wise@!manbaby; "quoted" \\ ünïcode 😀',
    );
    expect(formatMessageLine(1, T, 'Hans', 'x\ny')).toBe('1; 01 Jun 2022 21:30:04; Hans; x\\ny');
  });
});

describe('product log writers', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tessenger-logs-'));
  });
  afterEach(() => removeDir(dir));

  it('userlog: appends, then removes and renumbers', async () => {
    const log = new UserLog(dir);
    await log.reset();
    const at = (i: number) => ({ since: T + i * 1000, address: '10.0.0.1', udpPort: 5000 + i });
    await Promise.all([
      log.add({ username: 'Yoda', ...at(0) }),
      log.add({ username: 'obiwan', ...at(1) }),
      log.add({ username: 'Hans', ...at(2) }),
    ]);
    const file = path.join(dir, 'userlog.txt');
    expect(await readFile(file, 'utf8')).toBe(
      '1; 01 Jun 2022 21:30:04; Yoda; 10.0.0.1; 5000\n' +
        '2; 01 Jun 2022 21:30:05; obiwan; 10.0.0.1; 5001\n' +
        '3; 01 Jun 2022 21:30:06; Hans; 10.0.0.1; 5002\n',
    );
    await log.remove('Yoda');
    expect(await readFile(file, 'utf8')).toBe(
      '1; 01 Jun 2022 21:30:05; obiwan; 10.0.0.1; 5001\n' +
        '2; 01 Jun 2022 21:30:06; Hans; 10.0.0.1; 5002\n',
    );
    await log.remove('nobody');
    await log.remove('Hans');
    await log.remove('obiwan');
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it('userlog: a burst of logouts and logins ends in the right file, in one rewrite', async () => {
    const log = new UserLog(dir);
    await log.reset();
    const user = (i: number) => ({
      username: `u${i}`,
      since: T,
      address: '10.0.0.1',
      udpPort: 5000 + i,
    });
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.add(user(i))));
    const file = path.join(dir, 'userlog.txt');
    // Every even user leaves and two come in, all in one turn: the file must end up as the
    // list is now, whatever order the queued writes take.
    const done = [
      ...Array.from({ length: 25 }, (_, i) => log.remove(`u${2 * i}`)),
      log.add(user(50)),
      log.add(user(51)),
    ];
    // One rewrite for the whole burst: every call joined the first logout's.
    expect(new Set(done).size).toBe(1);
    await Promise.all(done);
    const expected = [...Array.from({ length: 25 }, (_, i) => 2 * i + 1), 50, 51]
      .map((n, i) => formatUserLogLine(i + 1, user(n)))
      .join('\n');
    expect(await readFile(file, 'utf8')).toBe(`${expected}\n`);
  });

  it('messagelog: numbers in call order and continues after reopening', async () => {
    const first = await openMessageLog(dir);
    await Promise.all([first.append(T, 'a', 'one'), first.append(T, 'b', 'two')]);
    const second = await openMessageLog(dir);
    expect(await second.append(T, 'c', 'three')).toEqual({
      n: 3,
      line: '3; 01 Jun 2022 21:30:04; c; three',
    });
    expect(await readFile(path.join(dir, 'messagelog.txt'), 'utf8')).toBe(
      '1; 01 Jun 2022 21:30:04; a; one\n' +
        '2; 01 Jun 2022 21:30:04; b; two\n' +
        '3; 01 Jun 2022 21:30:04; c; three\n',
    );
  });

  it('group log: created empty, numbered from 1', async () => {
    const log = await createGroupLog(dir, 'jedi');
    expect(await readFile(groupLogPath(dir, 'jedi'), 'utf8')).toBe('');
    await log.append(T, 'Yoda', 'hello');
    await log.append(T, 'obiwan', 'hi');
    expect(await readFile(groupLogPath(dir, 'jedi'), 'utf8')).toBe(
      '1; 01 Jun 2022 21:30:04; Yoda; hello\n2; 01 Jun 2022 21:30:04; obiwan; hi\n',
    );
  });

  it('finds the last number in a file larger than one read window', async () => {
    const file = path.join(dir, 'big.txt');
    expect(await readLogTail(file)).toEqual({ lastNumber: 0, needsNewline: false });
    const lines: string[] = [];
    for (let i = 1; i <= 3000; i++) lines.push(`${i}; 01 Jun 2022 21:30:04; u; ${'x'.repeat(50)}`);
    await writeFile(file, `${lines.join('\n')}\n`);
    expect(await readLogTail(file)).toEqual({ lastNumber: 3000, needsNewline: false });
    // A long unnumbered tail makes the window widen.
    await writeFile(file, `${lines.join('\n')}\n${'z'.repeat(200_000)}`);
    expect(await readLogTail(file)).toEqual({ lastNumber: 3000, needsNewline: true });
    await writeFile(file, 'no numbers here\n');
    expect(await readLogTail(file)).toEqual({ lastNumber: 0, needsNewline: false });
  });

  it('messagelog: a torn last line is not glued to the next record', async () => {
    const file = path.join(dir, 'messagelog.txt');
    await writeFile(file, '1; 01 Jun 2022 21:30:04; a; one\n2; 01 Jun 20');
    const log = await openMessageLog(dir);
    await log.append(T, 'b', 'three');
    await log.append(T, 'c', 'four');
    expect(await readFile(file, 'utf8')).toBe(
      '1; 01 Jun 2022 21:30:04; a; one\n2; 01 Jun 20\n' +
        '3; 01 Jun 2022 21:30:04; b; three\n4; 01 Jun 2022 21:30:04; c; four\n',
    );
  });
});
