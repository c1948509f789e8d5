/**
 * `/p2pvideo` between two real CLI clients across the namespace internet of
 * test/helpers/netns.ts: real kernel NATs (iptables MASQUERADE, `--random-fully` for
 * symmetric), a server on the "public" side, IPv6, and the wan's delay and loss. Every case
 * checks the received file by SHA-256 and the path the clients say they took. Needs root,
 * iproute2, iptables, python3 (delay) and tcpdump (the relay capture); fails without them.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, loginClient } from '../helpers/cli-process.js';
import {
  buildInternet,
  type Internet,
  type InternetOptions,
  requireNetns,
} from '../helpers/netns.js';
import { startCapture } from '../helpers/pcap.js';
import { makeTempDir, SAMPLE_CREDENTIALS as PW, writeCredentials } from '../helpers/temp-dir.js';
import { sha256Of, type TestFile, writeTestFile } from '../helpers/transfer-harness.js';

const PORT = 5000;
const MiB = 1024 * 1024;

let net: Internet | null = null;
const procs: CliProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const p of procs.splice(0)) p.kill();
  await net?.destroy();
  net = null;
  for (const c of cleanups.splice(0)) await c();
});

async function folder(): Promise<string> {
  const t = await makeTempDir('tessenger-netns-');
  cleanups.push(t.cleanup);
  return t.dir;
}

interface World {
  net: Internet;
  server: CliProcess;
  serverDir: string;
  yoda: CliProcess;
  obiwan: CliProcess;
  /** obiwan's download folder. */
  downloads: string;
  clip: TestFile;
}

/** An internet, a server in its namespace, Yoda on users[0] and obiwan on users[1], signed in. */
async function world(
  options: InternetOptions,
  more: { serverArgs?: string[]; clientArgs?: string[]; clipBytes?: number } = {},
): Promise<World> {
  requireNetns();
  net = await buildInternet(options);
  const serverDir = await folder();
  await writeCredentials(serverDir);
  const host = net.server.addr;
  const server = new CliProcess(
    [
      'server',
      String(PORT),
      '3',
      '--host',
      host,
      '--credentials',
      'credentials.txt',
      '--verbose',
      ...(more.serverArgs ?? []),
    ],
    { cwd: serverDir, netns: net.server.ns },
  );
  procs.push(server);
  await server.waitFor(`Tessenger server listening on`);
  const login = (user: number, name: string, cwd: string) =>
    signIn(user, name, cwd, host, more.clientArgs ?? []);
  const yodaDir = await folder();
  const clip = await writeTestFile(yodaDir, 'clip.bin', more.clipBytes ?? 4 * MiB);
  const downloads = await folder();
  const yoda = await login(0, 'Yoda', yodaDir);
  const obiwan = await login(1, 'obiwan', downloads);
  return { net, server, serverDir, yoda, obiwan, downloads, clip };
}

/** A plain CLI client of users[user] signed in as `name`. */
async function signIn(
  user: number,
  name: string,
  cwd: string,
  host: string,
  extra: string[],
): Promise<CliProcess> {
  return loginClient(cwd, PORT, name, PW[name]!, ['--plain', '--progress', ...extra], {
    host,
    netns: net!.users[user]!.ns,
    track: (p) => procs.push(p),
  });
}

/** Sends clip.bin from Yoda to obiwan; resolves with both sides' path lines and the seconds it took. */
async function send(
  w: World,
  timeoutMs = 60_000,
): Promise<{ yoda: string; obiwan: string; seconds: number }> {
  const started = performance.now();
  const from = { yoda: w.yoda.stdout.length, obiwan: w.obiwan.stdout.length };
  w.yoda.line('/p2pvideo obiwan clip.bin');
  const yodaPath = await w.yoda.waitFor(/^(Path to obiwan: .*|no direct path to obiwan .*)$/m, {
    from: from.yoda,
    timeoutMs,
  });
  const obiwanPath = await w.obiwan.waitFor(/^(Path from Yoda: .*|no direct path from Yoda.*)$/m, {
    from: from.obiwan,
    timeoutMs,
  });
  await w.obiwan.waitFor('Received clip.bin from Yoda', { from: from.obiwan, timeoutMs });
  await w.yoda.waitFor('clip.bin has been uploaded', { from: from.yoda, timeoutMs });
  const seconds = (performance.now() - started) / 1000;
  expect(await sha256Of(path.join(w.downloads, 'Yoda_clip.bin'))).toBe(w.clip.sha256);
  return { yoda: yodaPath[1]!, obiwan: obiwanPath[1]!, seconds };
}

/** The server's `relay closed` diagnostic line, once it is written. */
async function relayClosed(log: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const text = await fs.readFile(log, 'utf8').catch(() => '');
    const line = text.split('\n').find((l) => l.includes('"relay closed"'));
    if (line) return JSON.parse(line) as Record<string, unknown>;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no "relay closed" line in ${log}`);
}

describe('/p2pvideo across real NATs', { timeout: 180_000 }, () => {
  it('1. both behind port-restricted cone NAT: direct, punched', async () => {
    const w = await world({ users: [{ nat: 'cone' }, { nat: 'cone' }] });
    const r = await send(w);
    // Each side reaches the other at its router's public address and mapped port.
    const peer = w.net.users[1]!.publicAddr4!;
    expect(r.yoda).toMatch(
      new RegExp(
        `^Path to obiwan: direct \\(NAT punched\\), found in [\\d.]+ s \\(${peer.replaceAll('.', '\\.')}:\\d+\\)$`,
      ),
    );
    expect(r.obiwan).toMatch(/^Path from Yoda: direct \(NAT punched\) \(100\.64\.1\.2:\d+\)$/);
  });

  it('2. one side public, one behind NAT: direct, both ways', async () => {
    const w = await world({ users: [{ nat: 'none' }, { nat: 'cone' }] });
    const r = await send(w);
    expect(r.yoda).toMatch(/^Path to obiwan: direct, found in [\d.]+ s \(100\.64\.2\.2:\d+\)$/);
    expect(r.obiwan).toMatch(/^Path from Yoda: direct \(100\.64\.1\.2:\d+\)$/);
    // And the other way round: the NATed side presents to the public one.
    const back = await writeTestFile(w.downloads, 'back.bin', MiB);
    const from = w.yoda.stdout.length;
    w.obiwan.line('/p2pvideo Yoda back.bin');
    await w.obiwan.waitFor(/^Path to Yoda: direct, found in [\d.]+ s \(100\.64\.1\.2:\d+\)$/m);
    await w.yoda.waitFor('Received back.bin from obiwan', { from });
    const yodaDir = path.dirname(w.clip.path);
    expect(await sha256Of(path.join(yodaDir, 'obiwan_back.bin'))).toBe(back.sha256);
  });

  it('3. both behind symmetric NAT: relayed, and the relay never sees the plaintext', async () => {
    const w = await world(
      { users: [{ nat: 'symmetric' }, { nat: 'symmetric' }] },
      { clientArgs: ['--punch-timeout', '1'] },
    );
    const pcap = path.join(w.serverDir, 'relay.pcap');
    const capture = await startCapture(w.net.server, pcap, `udp port ${PORT}`);
    const r = await send(w);
    const packets = await capture.stop();
    expect(r.yoda).toBe('no direct path to obiwan after 1.0 s: relaying through the server');
    expect(r.obiwan).toBe('no direct path from Yoda: relaying through the server');
    // The relay carried the whole file (twice: in from Yoda, out to obiwan)...
    const carried = packets.reduce((n, p) => n + p.length, 0);
    expect(carried).toBeGreaterThan(2 * w.clip.size);
    // ...and not one 16-byte run of it in clear, anywhere in what crossed the server's port.
    const all = Buffer.concat(packets);
    const plain = await fs.readFile(w.clip.path);
    for (let at = 0; at + 16 <= plain.length; at += 4093) {
      expect(all.indexOf(plain.subarray(at, at + 16))).toBe(-1);
    }
    // The server's diagnostic log counts what it relayed for this transfer once it ends.
    w.yoda.line('/logout');
    const closed = await relayClosed(path.join(w.serverDir, 'logs', 'tessenger-server.log'));
    expect(closed.bytesToAudience).toBeGreaterThan(w.clip.size);
    expect(closed).toMatchObject({ from: 'Yoda', to: 'obiwan' });
  });

  it('4. relay turned off and no direct path: a clear failure on both sides, nothing saved', async () => {
    const w = await world(
      { users: [{ nat: 'symmetric' }, { nat: 'symmetric' }] },
      { serverArgs: ['--no-relay'], clientArgs: ['--punch-timeout', '1'] },
    );
    w.yoda.line('/p2pvideo obiwan clip.bin');
    await w.yoda.waitFor(
      'Transfer of clip.bin to obiwan failed: no direct path to obiwan after 1.0 s and the server does not relay',
    );
    await w.obiwan.waitFor(
      /Transfer of clip\.bin from Yoda failed: .*no direct path to obiwan after 1\.0 s and the server does not relay/,
    );
    const left = (await fs.readdir(w.downloads)).filter((n) => n.includes('clip'));
    expect(left).toEqual([]);
  });

  it('UDP blocked towards peers (only the server reachable): relayed', async () => {
    const w = await world(
      { users: [{ nat: 'blocked-udp' }, { nat: 'cone' }] },
      { clientArgs: ['--punch-timeout', '1'] },
    );
    const r = await send(w);
    expect(r.yoda).toBe('no direct path to obiwan after 1.0 s: relaying through the server');
  });

  it('/groupvideo to members behind different NATs: each gets the path that works for it', async () => {
    const w = await world(
      { users: [{ nat: 'cone' }, { nat: 'symmetric' }, { nat: 'cone' }] },
      { clientArgs: ['--punch-timeout', '1'] },
    );
    const hansDir = await folder();
    const hans = await signIn(2, 'Hans', hansDir, w.net.server.addr, ['--punch-timeout', '1']);
    w.yoda.line('/creategroup jedi obiwan Hans');
    await w.yoda.waitFor(/Group chat created jedi/);
    for (const member of [w.obiwan, hans]) {
      const from = member.stdout.length;
      member.line('/joingroup jedi');
      await member.waitFor(/Joined the group chat: jedi successfully/, { from });
    }
    w.yoda.line('/groupvideo jedi clip.bin');
    await w.yoda.waitFor(/^Path to Hans: direct \(NAT punched\), found in/m);
    await w.yoda.waitFor('no direct path to obiwan after 1.0 s: relaying through the server');
    await w.obiwan.waitFor('Received clip.bin from Yoda', { timeoutMs: 60_000 });
    await hans.waitFor('Received clip.bin from Yoda', { timeoutMs: 60_000 });
    expect(await sha256Of(path.join(w.downloads, 'Yoda_clip.bin'))).toBe(w.clip.sha256);
    expect(await sha256Of(path.join(hansDir, 'Yoda_clip.bin'))).toBe(w.clip.sha256);
  });

  it('5. IPv6 only between the two: direct over IPv6', async () => {
    const w = await world({
      v6Only: true,
      users: [
        { nat: 'none', v6: true },
        { nat: 'none', v6: true },
      ],
    });
    const r = await send(w);
    expect(r.yoda).toMatch(
      /^Path to obiwan: direct, found in [\d.]+ s \(\[fd00:[0-9a-f:]+\]:\d+\)$/,
    );
    expect(r.obiwan).toMatch(/^Path from Yoda: direct \(\[fd00:[0-9a-f:]+\]:\d+\)$/);
  });

  it('6. 40 ms round trip and 2 % loss on the wide hop, 64 MiB: intact, with goodput', async () => {
    const size = 64 * MiB;
    const w = await world(
      { users: [{ nat: 'cone' }, { nat: 'cone' }], wanImpairment: { delayMs: 20, loss: 0.02 } },
      { clipBytes: size },
    );
    const r = await send(w, 240_000);
    expect(r.yoda).toMatch(/^Path to obiwan: direct \(NAT punched\)/);
    const found = Number(/found in ([\d.]+) s/.exec(r.yoda)?.[1]);
    const goodput = size / MiB / r.seconds;
    console.log(
      `64 MiB across 40 ms RTT + 2 % loss, punched: ${r.seconds.toFixed(1)} s, ${goodput.toFixed(1)} MiB/s (path found in ${found.toFixed(2)} s)`,
    );
    expect(goodput).toBeGreaterThan(0);
  });

  it('a presenter that changes network mid-transfer sends again and resumes over the new path', async () => {
    const w = await world(
      {
        users: [{ nat: 'cone' }, { nat: 'cone' }, { nat: 'symmetric' }],
        wanImpairment: { delayMs: 10 },
      },
      { clipBytes: 48 * MiB, clientArgs: ['--punch-timeout', '1'] },
    );
    w.yoda.line('/p2pvideo obiwan clip.bin');
    await w.obiwan.waitFor(/clip\.bin: [1-9]\d% /, { timeoutMs: 120_000 });
    // The laptop leaves home: the client dies with the old network...
    w.yoda.kill('SIGKILL');
    await w.obiwan.waitFor(/Transfer of clip\.bin from Yoda stopped: Yoda went offline; \d+% kept/);
    // ...and comes back on another one (a symmetric NAT: only the relay works from there).
    const cwd = path.dirname(w.clip.path);
    const yoda = await signIn(2, 'Yoda', cwd, w.net.server.addr, ['--punch-timeout', '1']);
    const from = w.obiwan.stdout.length;
    yoda.line('/p2pvideo obiwan clip.bin');
    await yoda.waitFor('no direct path to obiwan after 1.0 s: relaying through the server');
    await w.obiwan.waitFor(/Resuming clip\.bin from Yoda at [1-9]\d*%/, { from });
    await w.obiwan.waitFor('Received clip.bin from Yoda', { from, timeoutMs: 120_000 });
    await yoda.waitFor('clip.bin has been uploaded', { timeoutMs: 60_000 });
    await yoda.waitFor(/^Resumed: .* were already there/m);
    expect(await sha256Of(path.join(w.downloads, 'Yoda_clip.bin'))).toBe(w.clip.sha256);
  });
});
