/**
 * Fixtures of the CLI end-to-end tests: a fresh folder with the sample credentials.txt per test
 * (useCliWorkspace), or one server process for a whole file (useServerProcess); the processes
 * they are given are killed and their folders removed afterwards.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type CliProcess, startServerProcess } from './cli-process.js';
import { makeTempDir, writeCredentials } from './temp-dir.js';

export interface CliWorkspace {
  /** This test's folder (set before each test). */
  dir: string;
  /** Processes to kill after this test. */
  readonly procs: CliProcess[];
}

export function useCliWorkspace(): CliWorkspace {
  const ws: CliWorkspace = { dir: '', procs: [] };
  let cleanup: () => Promise<void> = async () => {};
  beforeEach(async () => {
    ({ dir: ws.dir, cleanup } = await makeTempDir());
    await writeCredentials(ws.dir);
  });
  afterEach(async () => {
    for (const p of ws.procs.splice(0)) p.kill();
    await cleanup();
  });
  return ws;
}

export interface ServerProcessFixture {
  /** The server's port (set before the file's tests). */
  port: number;
  /** Processes to kill after the file's tests; the server is the first. */
  readonly procs: CliProcess[];
  /** A fresh temp folder, removed after the file's tests. */
  folder(): Promise<string>;
}

/**
 * One server process for all tests of a file, started before them in its own folder with the
 * sample credentials.txt; processes in `procs` are killed and folders removed after them.
 */
export function useServerProcess(): ServerProcessFixture {
  const cleanups: Array<() => Promise<void>> = [];
  const fixture: ServerProcessFixture = {
    port: 0,
    procs: [],
    async folder() {
      const t = await makeTempDir();
      cleanups.push(t.cleanup);
      return t.dir;
    },
  };
  beforeAll(async () => {
    const dir = await fixture.folder();
    await writeCredentials(dir);
    const started = await startServerProcess(dir, ['--credentials', 'credentials.txt']);
    fixture.procs.push(started.proc);
    fixture.port = started.port;
  });
  afterAll(async () => {
    for (const proc of fixture.procs) proc.kill();
    for (const cleanup of cleanups) await cleanup();
  });
  return fixture;
}
