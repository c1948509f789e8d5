/**
 * The per-test folder most CLI end-to-end tests want: a fresh temp folder holding the sample
 * credentials.txt before each test, and every process pushed to `procs` killed, then the folder
 * removed, after it.
 */
import { afterEach, beforeEach } from 'vitest';
import type { CliProcess } from './cli-process.js';
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
