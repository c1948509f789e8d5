/**
 * The TLS control channel through the real CLI: the server makes and keeps its certificate,
 * the client pins it on first use, refuses a changed one naming both fingerprints, and
 * --insecure-plain on both sides still works with a warning.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliProcess, loginClient, startServerProcess } from '../helpers/cli-process.js';
import { useCliWorkspace } from '../helpers/cli-workspace.js';
import { SAMPLE_CREDENTIALS as PW } from '../helpers/temp-dir.js';

const ws = useCliWorkspace();
const { procs } = ws;

const FINGERPRINT = /fingerprint: (SHA256 [0-9A-F:]{95})/;
const knownServers = () => path.join(ws.dir, '.tessenger-config', 'known_servers');

async function server(args: string[] = []): Promise<{ proc: CliProcess; port: number }> {
  const started = await startServerProcess(ws.dir, args);
  procs.push(started.proc);
  return started;
}

describe('TLS control channel', () => {
  it('prints the fingerprint, keeps the certificate across restarts, and the client pins it', async () => {
    const first = await server();
    const fingerprint = (await first.proc.waitFor(FINGERPRINT))[1]!;
    expect(first.proc.stdout).toContain('(new, saved in ./data/tls-cert.pem)');
    const key = await fs.stat(path.join(ws.dir, 'data', 'tls-key.pem'));
    expect(key.mode & 0o077).toBe(0);

    const yoda = await loginClient(ws.dir, first.port, 'Yoda', PW.Yoda!);
    procs.push(yoda);
    expect(yoda.stderr).toContain(`New server 127.0.0.1:${first.port}: certificate ${fingerprint}`);
    expect(await fs.readFile(knownServers(), 'utf8')).toBe(
      `127.0.0.1:${first.port} ${fingerprint}\n`,
    );
    yoda.end();
    expect(await yoda.exited).toBe(0);

    // Same port, same data folder: same certificate, and the pinned client connects quietly.
    first.proc.kill('SIGTERM');
    await first.proc.exited;
    const restarted = await startSamePort(null, first.port);
    expect((await restarted.waitFor(FINGERPRINT))[1]).toBe(fingerprint);
    expect(restarted.stdout).not.toContain('(new');
    const obiwan = await loginClient(ws.dir, first.port, 'obiwan', PW.obiwan!);
    procs.push(obiwan);
    expect(obiwan.stderr).not.toContain('New server');
  });

  it('refuses a changed certificate and names both fingerprints', async () => {
    const first = await server();
    const pinned = (await first.proc.waitFor(FINGERPRINT))[1]!;
    const yoda = await loginClient(ws.dir, first.port, 'Yoda', PW.Yoda!);
    yoda.end();
    await yoda.exited;
    first.proc.kill('SIGTERM');
    await first.proc.exited;
    // A new key pair, as an impostor on the same address would have.
    await fs.rm(path.join(ws.dir, 'data', 'tls-key.pem'));
    await fs.rm(path.join(ws.dir, 'data', 'tls-cert.pem'));
    const impostor = await startSamePort(null, first.port);
    const presented = (await impostor.waitFor(FINGERPRINT))[1]!;
    expect(presented).not.toBe(pinned);

    const c = new CliProcess(['client', '127.0.0.1', String(first.port), '0'], { cwd: ws.dir });
    procs.push(c);
    expect(await c.exited).toBe(1);
    expect(c.stderr).toContain(`pinned:    ${pinned}`);
    expect(c.stderr).toContain(`presented: ${presented}`);
    expect(c.stderr).toContain('different certificate');
    expect(c.stdout).not.toContain('Username:');
  });

  it('--insecure-plain on both sides: plain TCP with a warning on each', async () => {
    const plain = await server(['--insecure-plain']);
    expect(plain.proc.stdout).not.toContain('fingerprint');
    await waitStderr(plain.proc, /WARNING: --insecure-plain/);
    const c = await loginClient(ws.dir, plain.port, 'vader', PW.vader!, ['--insecure-plain']);
    procs.push(c);
    expect(c.stderr).toMatch(/WARNING: --insecure-plain/);
    await expect(fs.stat(knownServers())).rejects.toThrow();
  });

  it('a --insecure-plain client at a TLS server is told so before it asks for a password', async () => {
    const tlsServer = await server();
    const c = new CliProcess(
      ['client', '127.0.0.1', String(tlsServer.port), '0', '--insecure-plain'],
      {
        cwd: ws.dir,
      },
    );
    procs.push(c);
    expect(await c.exited).toBe(1);
    expect(c.stderr).toContain('it probably uses TLS (the default)');
    expect(c.stderr).toContain('Start the client without --insecure-plain');
    expect(c.stdout).not.toContain('Username:');
  });

  it('a TLS client at a --insecure-plain server is told so at once', async () => {
    const plain = await server(['--insecure-plain']);
    const c = new CliProcess(['client', '127.0.0.1', String(plain.port), '0'], { cwd: ws.dir });
    procs.push(c);
    expect(await c.exited).toBe(1);
    expect(c.stderr).toContain('the server does not speak TLS');
    expect(c.stderr).toContain('add --insecure-plain here too');
    expect(c.stdout).not.toContain('Username:');
    await expect(fs.stat(knownServers())).rejects.toThrow();
  });
});

/** Starts a server on a given port in the test folder (the pin is per host:port). */
async function startSamePort(
  previous: { proc: CliProcess } | null,
  port: number,
): Promise<CliProcess> {
  previous?.proc.kill('SIGTERM');
  if (previous) await previous.proc.exited;
  const proc = new CliProcess(['server', String(port), '3', '--host', '127.0.0.1'], {
    cwd: ws.dir,
  });
  procs.push(proc);
  await proc.waitFor(`listening on 127.0.0.1:${port}`);
  return proc;
}

async function waitStderr(proc: CliProcess, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 100 && !pattern.test(proc.stderr); i++) {
    await new Promise((resolve) => proc.child.stderr!.once('data', resolve));
  }
  expect(proc.stderr).toMatch(pattern);
}
