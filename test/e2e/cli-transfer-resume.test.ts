/**
 * Resume across a killed process. The audience killed mid-transfer: the server tells the
 * presenter, whose transfer stops at once and says so; the audience logs in again from the same
 * folder, the same file is sent again and only the missing part travels. The presenter killed
 * instead: the server tells the audience, which stops at once and keeps its bytes; the presenter
 * logs in again and the second send resumes from them. The side that is told runs with a stall
 * time-out (600 s) longer than the test's time limit, so only the server's notice can end it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliProcess, loginClient } from '../helpers/cli-process.js';
import { useServerProcess } from '../helpers/cli-workspace.js';
import { SAMPLE_CREDENTIALS as PW } from '../helpers/temp-dir.js';
import { sha256Of, writeTestFile } from '../helpers/transfer-harness.js';

const SIZE = 300 * 1024 * 1024 + 4321;
const STALL = ['--stall-timeout', '3'];
/** Longer than each test's time limit (240 s): a transfer ended under it did not stall. */
const NO_STALL = ['--stall-timeout', '600'];
const server = useServerProcess();
const { procs, folder } = server;

/** Bytes the receiver's sidecar says are on disk (0 until it first appears). */
async function sidecarBytes(dir: string): Promise<number> {
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.ranges'));
  if (names.length === 0) return 0;
  try {
    const ranges = JSON.parse(await fs.readFile(path.join(dir, names[0]!), 'utf8')).ranges as Array<
      [number, number]
    >;
    return ranges.reduce((sum, [start, end]) => sum + (end - start), 0);
  } catch {
    return 0; // caught between the temp file and its rename
  }
}

/** Waits until the receiver has recorded some bytes on disk (the moment to kill a side). */
async function waitForSidecar(dir: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await sidecarBytes(dir)) === 0) {
    if (Date.now() > deadline) throw new Error('no sidecar appeared');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function login(cwd: string, user: string, extra = STALL): Promise<CliProcess> {
  const proc = await loginClient(cwd, server.port, user, PW[user]!, extra);
  procs.push(proc);
  return proc;
}

describe('resume after the audience process was killed', () => {
  it('sends only what is missing, and the file arrives intact', async () => {
    const yodaDir = await folder();
    const obiwanDir = await folder();
    const { sha256: wanted } = await writeTestFile(yodaDir, 'big.mp4', SIZE);
    const yoda = await login(yodaDir, 'Yoda', NO_STALL);
    let obiwan = await login(obiwanDir, 'obiwan');

    // First attempt: kill the audience once some bytes are safely recorded on its disk.
    let from = yoda.stdout.length;
    yoda.line('/p2pvideo obiwan big.mp4');
    await waitForSidecar(obiwanDir);
    obiwan.kill('SIGKILL');
    await obiwan.exited;
    await yoda.waitFor(
      /Transfer of big\.mp4 to obiwan stopped: obiwan went offline; \d+% delivered, send it again when they are back to resume\./,
      { from },
    );
    const kept = await sidecarBytes(obiwanDir);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(SIZE);

    // Second attempt: same folder, same file.
    obiwan = await login(obiwanDir, 'obiwan');
    from = yoda.stdout.length;
    const oFrom = obiwan.stdout.length;
    yoda.line('/p2pvideo obiwan big.mp4');
    const resumed = await obiwan.waitFor(/Resuming big\.mp4 from Yoda at (\d+)%/, { from: oFrom });
    // The audience resumes from exactly what its sidecar recorded before the kill.
    expect(Number(resumed[1])).toBe(Math.floor((kept / SIZE) * 100));
    await yoda.waitFor('big.mp4 has been uploaded', { from, timeoutMs: 120_000 });
    const sent = await yoda.waitFor(/Resumed: .* sent \((\d+) bytes\)/, { from });
    expect(Number(sent[1])).toBeLessThan(SIZE);
    expect(Number(sent[1])).toBeLessThanOrEqual(SIZE - kept + 64 * 1024);
    await obiwan.waitFor('Received big.mp4 from Yoda', { from: oFrom, timeoutMs: 120_000 });
    expect(await sha256Of(path.join(obiwanDir, 'Yoda_big.mp4'))).toBe(wanted);
    if (process.env.SHOW_TRANSFER_OUTPUT) console.log(yoda.stdout, obiwan.stdout, { kept });
    // The sidecar goes just after DONE (closing the part file must not delay it).
    const leftovers = async () =>
      (await fs.readdir(obiwanDir)).filter((n) => /\.(part|ranges)$/.test(n));
    for (let i = 0; i < 50 && (await leftovers()).length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await leftovers()).toEqual([]);
    // Log both out: the next test logs the same users in again.
    for (const proc of [yoda, obiwan]) {
      proc.kill();
      await proc.exited;
    }
  }, 240_000);
});

describe('resume after the presenter process was killed', () => {
  it('resumes from what the audience already has when the presenter sends again', async () => {
    const yodaDir = await folder();
    const obiwanDir = await folder();
    const { sha256: wanted } = await writeTestFile(yodaDir, 'talk.mp4', SIZE);
    let yoda = await login(yodaDir, 'Yoda');
    const obiwan = await login(obiwanDir, 'obiwan', NO_STALL);

    yoda.line('/p2pvideo obiwan talk.mp4');
    await waitForSidecar(obiwanDir);
    let oFrom = obiwan.stdout.length;
    yoda.kill('SIGKILL');
    await yoda.exited;
    await obiwan.waitFor(
      /Transfer of talk\.mp4 from Yoda stopped: Yoda went offline; \d+% kept, send it again to resume\./,
      { from: oFrom },
    );
    expect(await sidecarBytes(obiwanDir)).toBeGreaterThan(0);

    // The presenter comes back (a new process, same folder) and sends the same file again.
    yoda = await login(yodaDir, 'Yoda');
    const from = yoda.stdout.length;
    oFrom = obiwan.stdout.length;
    yoda.line('/p2pvideo obiwan talk.mp4');
    await obiwan.waitFor(/Resuming talk\.mp4 from Yoda at \d+%/, { from: oFrom });
    await yoda.waitFor('talk.mp4 has been uploaded', { from, timeoutMs: 120_000 });
    const sent = await yoda.waitFor(/Resumed: .* sent \((\d+) bytes\)/, { from });
    expect(Number(sent[1])).toBeLessThan(SIZE);
    await obiwan.waitFor('Received talk.mp4 from Yoda', { from: oFrom, timeoutMs: 120_000 });
    expect(await sha256Of(path.join(obiwanDir, 'Yoda_talk.mp4'))).toBe(wanted);
  }, 240_000);
});
