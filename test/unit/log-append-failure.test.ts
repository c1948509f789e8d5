/**
 * Log files when appends fail (a full disk; here a folder that is not there yet, which fails
 * the same way from the writer's side): a numbered log keeps the failed lines and writes them,
 * in order, ahead of the next append that works; one caller of each change hears of it (one
 * diagnostic line, not one per message); too much kept stops the file where it is, a prefix
 * for the start-up repair. The diagnostics file drops what it cannot write and says so after.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LOG_BEHIND_LINE,
  LOG_CAUGHT_UP_LINE,
  writeStoredLine,
} from '../../src/server/logs/stored-line.js';
import { LogAppendError, SerialFileWriter } from '../../src/store/serial-file-writer.js';
import { DiagnosticsFile } from '../../src/util/diagnostics-file.js';
import type { Logger } from '../../src/util/logger.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir('tessenger-logfail-'));
});
afterEach(() => cleanup());

/** Settles the appends asked for in one turn (one batch, as a group commit's handlers do). */
const batch = (w: SerialFileWriter, lines: string[]) =>
  Promise.allSettled(lines.map((l) => w.append(`${l}\n`)));

describe('SerialFileWriter with keepUnwritten', () => {
  it('keeps failed appends and writes them in order ahead of the next one', async () => {
    const gone = path.join(dir, 'later');
    const w = new SerialFileWriter(path.join(gone, 'log.txt'), { keepUnwritten: 1000 });
    const failed = await batch(w, ['1', '2']);
    const errors = failed.map((s) => (s as PromiseRejectedResult).reason as LogAppendError);
    expect(errors.map((e) => e instanceof LogAppendError && e.kept)).toEqual([true, true]);
    // One report of the change, not one per line.
    expect(errors.map((e) => e.opens)).toEqual([true, false]);
    const more = await batch(w, ['3']);
    expect(((more[0] as PromiseRejectedResult).reason as LogAppendError).opens).toBe(false);
    expect(w.behind).toBe(true);

    await mkdir(gone);
    const ok = await batch(w, ['4', '5']);
    expect(ok.map((s) => (s as PromiseFulfilledResult<boolean>).value)).toEqual([true, false]);
    expect(await readFile(path.join(gone, 'log.txt'), 'utf8')).toBe('1\n2\n3\n4\n5\n');
    expect(w.behind).toBe(false);
    expect(await w.append('6\n')).toBe(false);
  });

  it('stops the file where it is once too much is kept', async () => {
    const gone = path.join(dir, 'later');
    const w = new SerialFileWriter(path.join(gone, 'log.txt'), { keepUnwritten: 4 });
    await batch(w, ['1', '2']);
    const over = await batch(w, ['3']);
    const e = (over[0] as PromiseRejectedResult).reason as LogAppendError;
    expect({ kept: e.kept, opens: e.opens }).toEqual({ kept: false, opens: true });
    await mkdir(gone);
    const after = await batch(w, ['4']);
    expect(after[0]!.status).toBe('rejected');
    await expect(readFile(path.join(gone, 'log.txt'), 'utf8')).rejects.toThrow();
  });

  it('without keepUnwritten, loses a failed append and goes on', async () => {
    const gone = path.join(dir, 'later');
    const w = new SerialFileWriter(path.join(gone, 'log.txt'));
    const failed = await batch(w, ['1']);
    expect(((failed[0] as PromiseRejectedResult).reason as LogAppendError).kept).toBe(false);
    await mkdir(gone);
    await w.append('2\n');
    expect(await readFile(path.join(gone, 'log.txt'), 'utf8')).toBe('2\n');
  });
});

describe('writeStoredLine', () => {
  it('never rejects, and logs a file falling behind and catching up once each', async () => {
    const lines: string[] = [];
    const logger: Logger = {
      debug: () => {},
      info: (m) => lines.push(`info ${m}`),
      warn: () => {},
      error: (m) => lines.push(`error ${m}`),
    };
    const gone = path.join(dir, 'later');
    const w = new SerialFileWriter(path.join(gone, 'log.txt'), { keepUnwritten: 1000 });
    const write = (l: string) => writeStoredLine(logger, w.path, w.append(`${l}\n`));
    await Promise.all(['1', '2', '3'].map(write));
    await write('4');
    await mkdir(gone);
    await Promise.all(['5', '6'].map(write));
    expect(lines).toEqual([`error ${LOG_BEHIND_LINE}`, `info ${LOG_CAUGHT_UP_LINE}`]);
  });
});

describe('DiagnosticsFile', () => {
  it('drops the lines it cannot write and says how many once it can', async () => {
    const gone = path.join(dir, 'logs');
    const file = new DiagnosticsFile(path.join(gone, 'd.log'), 1 << 20, 3);
    const write = (line: string) =>
      new Promise<void>((resolve) => file.write(`${line}\n`, () => resolve()));
    await write('{"a":1}');
    await write('{"a":2}');
    expect(file.lostLines).toBe(2);
    await mkdir(gone);
    await write('{"a":3}');
    expect(await readFile(path.join(gone, 'd.log'), 'utf8')).toBe(
      '{"level":"warn","message":"diagnostic lines lost: the file could not be written","lines":2}\n{"a":3}\n',
    );
  });

  it('rotates by size, newest without a number', async () => {
    const file = new DiagnosticsFile(path.join(dir, 'd.log'), 10, 3);
    const write = (line: string) =>
      new Promise<void>((resolve) => file.write(`${line}\n`, () => resolve()));
    for (const l of ['aaaaaaa', 'bbbbbbb', 'ccccccc', 'ddddddd']) await write(l);
    expect(await readFile(path.join(dir, 'd.log'), 'utf8')).toBe('ddddddd\n');
    expect(await readFile(path.join(dir, 'd1.log'), 'utf8')).toBe('ccccccc\n');
    expect(await readFile(path.join(dir, 'd2.log'), 'utf8')).toBe('bbbbbbb\n');
  });
});
