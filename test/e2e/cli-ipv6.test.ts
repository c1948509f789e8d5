/**
 * IPv6 on this machine's loopback: a server listening on `::1` (and dual-stack on `::`), clients
 * connected over `::1`, and a `/p2pvideo` that runs over IPv6 (it used to stay at 0 %: the UDP
 * side was IPv4 only).
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, loginClient } from '../helpers/cli-process.js';
import { makeTempDir, SAMPLE_CREDENTIALS as PW, writeCredentials } from '../helpers/temp-dir.js';
import { sha256Of, writeTestFile } from '../helpers/transfer-harness.js';

const procs: CliProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const p of procs.splice(0)) p.kill();
  for (const c of cleanups.splice(0)) await c();
});

async function folder(): Promise<string> {
  const t = await makeTempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

async function server(host: string): Promise<number> {
  const dir = await folder();
  await writeCredentials(dir);
  const proc = new CliProcess(
    ['server', '0', '3', '--host', host, '--insecure-plain', '--credentials', 'credentials.txt'],
    { cwd: dir },
  );
  procs.push(proc);
  const m = await proc.waitFor(/listening on \S+:(\d+) \(UDP (\d+)/);
  return Number(m[1]);
}

function client(host: string, port: number, name: string, cwd: string): Promise<CliProcess> {
  const flags = ['--plain', '--insecure-plain'];
  return loginClient(cwd, port, name, PW[name]!, flags, { host, track: (p) => procs.push(p) });
}

describe('IPv6', () => {
  it.each([
    ['::1', '::1', '::1'],
    ['::', '127.0.0.1', '::1'],
  ])('server on %s, clients over %s and %s: /p2pvideo runs over IPv6', async (host, a, b) => {
    const port = await server(host);
    const yodaDir = await folder();
    const downloads = await folder();
    const clip = await writeTestFile(yodaDir, 'clip.bin', 2 * 1024 * 1024);
    const yoda = await client(a, port, 'Yoda', yodaDir);
    const obiwan = await client(b, port, 'obiwan', downloads);
    yoda.line('/activeuser');
    await yoda.waitFor(/obiwan, ::1, /);
    yoda.line('/p2pvideo obiwan clip.bin');
    await yoda.waitFor(/Path to obiwan: direct, found in [\d.]+ s \(\[::1\]:\d+\)/);
    await obiwan.waitFor(/Path from Yoda: direct \(\[::1\]:\d+\)/);
    await obiwan.waitFor('Received clip.bin from Yoda');
    await yoda.waitFor('clip.bin has been uploaded');
    expect(await sha256Of(path.join(downloads, 'Yoda_clip.bin'))).toBe(clip.sha256);
  });
});
