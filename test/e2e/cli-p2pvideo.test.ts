/**
 * /p2pvideo end to end: real server and clients as processes; files go client to client over
 * UDP and are compared by SHA-256.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOPBACK_CHUNK } from '../../src/transfer/engine.js';
import { type CliProcess, loginClient, startServerProcess } from '../helpers/cli-process.js';
import { CLIP, CLIP_PROBE, probeVideo } from '../helpers/fixtures.js';
import { makeTempDir, SAMPLE_CREDENTIALS as PW, writeCredentials } from '../helpers/temp-dir.js';

const temps: Array<() => Promise<void>> = [];
let server: CliProcess;
let yoda: CliProcess;
let obiwan: CliProcess;
let hans: CliProcess;
let yodaDir: string;
let obiwanDir: string;
let hansDir: string;

async function folder(): Promise<string> {
  const t = await makeTempDir();
  temps.push(t.cleanup);
  return t.dir;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  const serverDir = await folder();
  await writeCredentials(serverDir);
  const started = await startServerProcess(serverDir, [
    '--credentials',
    'credentials.txt',
    '--log-dir',
    'logs',
  ]);
  server = started.proc;
  yodaDir = await folder();
  obiwanDir = await folder();
  yoda = await loginClient(yodaDir, started.port, 'Yoda', PW.Yoda!);
  obiwan = await loginClient(obiwanDir, started.port, 'obiwan', PW.obiwan!);
  hansDir = await folder();
  hans = await loginClient(hansDir, started.port, 'Hans', PW.Hans!);
});

afterAll(async () => {
  yoda?.kill();
  obiwan?.kill();
  hans?.kill();
  server?.kill();
  for (const cleanup of temps) await cleanup();
});

async function send(name: string, content: Buffer, savedAs = `Yoda_${name}`): Promise<void> {
  await fs.writeFile(path.join(yodaDir, name), content);
  const yFrom = yoda.stdout.length;
  const oFrom = obiwan.stdout.length;
  yoda.line(`/p2pvideo obiwan ${name}`);
  await yoda.waitFor(`${name} has been uploaded`, { from: yFrom, timeoutMs: 120_000 });
  await obiwan.waitFor(`Received ${name} from Yoda`, { from: oFrom, timeoutMs: 120_000 });
  const received = await fs.readFile(path.join(obiwanDir, savedAs));
  expect(received.length).toBe(content.length);
  expect(sha(received)).toBe(sha(content));
  const leftovers = (await fs.readdir(obiwanDir)).filter((f) => f.endsWith('.part'));
  expect(leftovers).toEqual([]);
}

describe('/p2pvideo', () => {
  const C = LOOPBACK_CHUNK;
  it.each([0, 1, C - 1, C, C + 1, 3 * C + 7, 1_000_003])(
    'delivers a %i-byte file intact',
    async (size) => {
      await send(`f${size}.bin`, randomBytes(size));
    },
  );

  it('delivers the fixture video clip, which ffprobe reads on arrival as it was sent', async () => {
    await send('clip.ts', await fs.readFile(CLIP));
    const probe = await probeVideo(path.join(obiwanDir, 'Yoda_clip.ts'));
    expect(probe).toMatchObject(CLIP_PROBE);
    expect(probe.duration).toBeCloseTo((await probeVideo(CLIP)).duration, 3);
  });

  it('delivers a 50 MiB random file intact', async () => {
    await send('lecture1.mp4', randomBytes(50 * 1024 * 1024));
    await server.waitFor('Yoda started a P2P transfer of lecture1.mp4 to obiwan');
  }, 180_000);

  it('never overwrites: the same name again gets -1', async () => {
    await send('f1.bin', randomBytes(10), 'Yoda_f1-1.bin');
  });

  it.each([
    ['/p2pvideo vader lecture1.mp4', 'vader is offline'],
    ['/p2pvideo nobody lecture1.mp4', 'User nobody does not exist.'],
    ['/p2pvideo Yoda lecture1.mp4', 'You cannot send a file to yourself.'],
    [
      '/p2pvideo obiwan missing.mp4',
      'File missing.mp4 does not exist. Usage: /p2pvideo USERNAME FILENAME',
    ],
    ['/p2pvideo obiwan', 'Missing file name. Usage: /p2pvideo USERNAME FILENAME'],
  ])('%s → %s', async (line, expected) => {
    const from = yoda.stdout.length;
    yoda.line(line);
    await yoda.waitFor(expected, { from });
  });

  it('keeps chatting while a transfer runs', async () => {
    await fs.writeFile(path.join(yodaDir, 'big.bin'), randomBytes(20 * 1024 * 1024));
    const from = obiwan.stdout.length;
    yoda.line('/p2pvideo obiwan big.bin');
    yoda.line('/msgto obiwan during the transfer');
    await obiwan.waitFor('Yoda: during the transfer', { from });
    await obiwan.waitFor('Received big.bin from Yoda', { from, timeoutMs: 120_000 });
  });

  it('fails cleanly when the presenter is killed mid-transfer, leaving no file', async () => {
    // A sparse 2 GiB file: big enough to be mid-flight when the presenter dies, free to make.
    const big = path.join(hansDir, 'huge.mp4');
    const handle = await fs.open(big, 'w');
    await handle.truncate(2 * 1024 ** 3);
    await handle.close();
    const from = obiwan.stdout.length;
    hans.line('/p2pvideo obiwan huge.mp4');
    await obiwan.waitFor('Receiving huge.mp4 from Hans', { from, timeoutMs: 60_000 });
    // Mid-transfer: the path is chosen and data flows (killed before that, the offer itself
    // is cancelled: "... failed: transfer cancelled: Hans is offline").
    await obiwan.waitFor(/Path from Hans: direct/, { from, timeoutMs: 60_000 });
    hans.kill('SIGKILL');
    // The server tells the audience at once; its bytes stay for a resume, under a hidden name.
    await obiwan.waitFor(
      /Transfer of huge\.mp4 from Hans stopped: Hans went offline; \d+% kept, send it again to resume\./,
      { from, timeoutMs: 60_000 },
    );
    const names = await fs.readdir(obiwanDir);
    expect(names).not.toContain('Hans_huge.mp4');
    // The audience's session is unharmed.
    const after = obiwan.stdout.length;
    yoda.line('/msgto obiwan still with you');
    await obiwan.waitFor('Yoda: still with you', { from: after });
  }, 120_000);
});
