import dgram from 'node:dgram';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, startServerProcess } from '../helpers/cli-process.js';
import { makeTempDir, SAMPLE_CREDENTIALS, writeCredentials } from '../helpers/temp-dir.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  await writeCredentials(dir, 'broken-line-without-password\n');
});
afterAll(() => cleanup());

async function run(args: string[]) {
  const proc = new CliProcess(args, { cwd: dir });
  proc.end();
  const code = await proc.exited;
  return { code, stdout: proc.stdout, stderr: proc.stderr };
}

describe('tessenger server arguments', () => {
  it.each(['0', '6', '2.5', 'abc'])('refuses %s attempts with the spec text', async (attempts) => {
    const r = await run(['server', '5000', attempts]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(
      `Invalid number of allowed failed consecutive attempt: ${attempts}. The valid value of argument number is an integer between 1 and 5`,
    );
  });

  it.each([[['server']], [['server', '5000']], [['server', '5000', '3', '7']]])(
    'prints a usage line for a wrong argument count %j',
    async (args) => {
      const r = await run(args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('Usage: tessenger server <server_port>');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it.each(['70000', '-5', 'port'])('refuses port %s', async (port) => {
    const r = await run(['server', port, '3']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`Invalid server_port: ${port}.`);
  });

  it('refuses a port in use with one clear line', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const r = await run(['server', String(port), '3', '--host', '127.0.0.1']);
    blocker.close();
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      `Port ${port} is already in use. Choose another server_port.`,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a malformed credentials line by number and keeps serving', async () => {
    const { proc } = await startServerProcess(dir, ['--credentials', 'credentials.txt']);
    // The broken line comes right after the fixture's users.
    const line = Object.keys(SAMPLE_CREDENTIALS).length + 1;
    await proc.waitFor(`credentials.txt line ${line} is malformed and was skipped`);
    proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });

  it('shows --help for each command', async () => {
    const r = await run(['server', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--credentials');
    expect(r.stdout).toContain('--log-dir');
    const c = await run(['client', '--help']);
    expect(c.stdout).toContain('--download-dir');
    expect(c.stdout).toContain('--plain');
  });
});

describe('tessenger client arguments', () => {
  it('refuses a wrong argument count with a usage line', async () => {
    const r = await run(['client', '127.0.0.1', '5000']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'Usage: tessenger client <server_IP> <server_port> <client_udp_server_port>',
    );
  });

  it('says the server is unreachable in one line', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const r = await run(['client', '127.0.0.1', String(port), '0']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `Cannot connect to the server at 127.0.0.1:${port}: connection refused (is the server running?)`,
    );
  });

  it('says the UDP port is in use in one line', async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => sock.bind(0, resolve));
    const udpPort = sock.address().port;
    const r = await run(['client', '127.0.0.1', '5000', String(udpPort)]);
    sock.close();
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `UDP port ${udpPort} is already in use. Choose another client_udp_server_port.`,
    );
  });

  it('refuses a bad UDP port', async () => {
    const r = await run(['client', '127.0.0.1', '5000', '99999']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Invalid client_udp_server_port: 99999.');
  });
});
