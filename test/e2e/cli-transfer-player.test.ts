/**
 * `tessenger client --player`: the audience streams an incoming file into a player while it
 * arrives, and still saves the verified file. The player is a fake (a node script) that copies
 * its stdin to a file, compared by SHA-256 with what was sent.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, FAKE_PLAYER, loginClient } from '../helpers/cli-process.js';
import { useServerProcess } from '../helpers/cli-workspace.js';
import { CLIP, CLIP_PROBE, probeVideo } from '../helpers/fixtures.js';
import { SAMPLE_CREDENTIALS as PW } from '../helpers/temp-dir.js';

const server = useServerProcess();
const { procs, folder } = server;
let yoda: CliProcess;
let yodaDir: string;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const quote = (s: string) => `'${s}'`;

/** Logs a client in with its own environment (loginClient has none). */
async function login(cwd: string, user: string, args: string[], env?: NodeJS.ProcessEnv) {
  const proc = new CliProcess(['client', '127.0.0.1', String(server.port), '0', ...args], {
    cwd,
    env,
  });
  procs.push(proc);
  await proc.waitFor('Username: ');
  proc.line(user);
  await proc.waitFor('Password: ');
  proc.line(PW[user]!);
  await proc.waitFor('Welcome to TESSENGER!');
  return proc;
}

async function waitForFile(file: string, timeoutMs = 60_000): Promise<Buffer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fs.readFile(file);
    } catch {
      if (Date.now() > deadline) throw new Error(`${file} never appeared`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Yoda sends `content` as `name` to `to`; resolves once both sides said it is done. */
async function send(audience: CliProcess, to: string, name: string, content: Buffer) {
  await fs.writeFile(path.join(yodaDir, name), content);
  const yFrom = yoda.stdout.length;
  const aFrom = audience.stdout.length;
  yoda.line(`/p2pvideo ${to} ${name}`);
  await yoda.waitFor(`${name} has been uploaded`, { from: yFrom, timeoutMs: 120_000 });
  await audience.waitFor(`Received ${name} from Yoda`, { from: aFrom, timeoutMs: 120_000 });
  return aFrom;
}

beforeAll(async () => {
  yodaDir = await folder();
  yoda = await loginClient(yodaDir, server.port, 'Yoda', PW.Yoda!);
  procs.push(yoda);
});

describe('--player', () => {
  it('pipes the file into the player while receiving and saves it verified', async () => {
    const dir = await folder();
    const played = path.join(dir, 'played.out');
    const player = `${quote(process.execPath)} ${quote(FAKE_PLAYER)} ${quote(played)}`;
    const obiwan = await login(dir, 'obiwan', ['--player', player]);
    const content = randomBytes(20 * 1024 * 1024 + 12_345);
    const from = await send(obiwan, 'obiwan', 'lecture.mp4', content);
    await obiwan.waitFor('Playing lecture.mp4 with node while receiving', { from });
    const saved = await fs.readFile(path.join(dir, 'Yoda_lecture.mp4'));
    expect(sha(saved)).toBe(sha(content));
    const streamed = await waitForFile(played);
    expect(streamed.length).toBe(content.length);
    expect(sha(streamed)).toBe(sha(content));
    obiwan.kill();
  }, 180_000);

  it('streams the fixture video clip into the player as a video ffprobe reads', async () => {
    const dir = await folder();
    const played = path.join(dir, 'played.ts');
    const player = `${quote(process.execPath)} ${quote(FAKE_PLAYER)} ${quote(played)}`;
    const tiger = await login(dir, 'Tiger', ['--player', player]);
    const content = await fs.readFile(CLIP);
    const from = await send(tiger, 'Tiger', 'clip.ts', content);
    await tiger.waitFor('Playing clip.ts with node while receiving', { from });
    expect(sha(await waitForFile(played))).toBe(sha(content));
    expect(await probeVideo(played)).toMatchObject(CLIP_PROBE);
    expect(await probeVideo(path.join(dir, 'Yoda_clip.ts'))).toMatchObject(CLIP_PROBE);
    tiger.kill();
  }, 120_000);

  it('still saves the verified file when the player exits at once', async () => {
    const dir = await folder();
    const player = `${quote(process.execPath)} ${quote(FAKE_PLAYER)} --exit`;
    const hans = await login(dir, 'Hans', ['--player', player]);
    const content = randomBytes(8 * 1024 * 1024 + 7);
    await send(hans, 'Hans', 'closed.mp4', content);
    const saved = await fs.readFile(path.join(dir, 'Yoda_closed.mp4'));
    expect(sha(saved)).toBe(sha(content));
    // The session goes on.
    const from = hans.stdout.length;
    yoda.line('/msgto Hans still here');
    await hans.waitFor('Yoda: still here', { from });
    hans.kill();
  }, 180_000);

  it('without a player installed says so once and just saves', async () => {
    const dir = await folder();
    const empty = await folder();
    // PATH without ffplay or mpv; the client itself runs by absolute path.
    const vader = await login(dir, 'vader', ['--player'], { PATH: empty });
    expect(
      vader.count('No video player found (ffplay or mpv); received files are just saved.'),
    ).toBe(1);
    const content = randomBytes(1_000_003);
    const from = await send(vader, 'vader', 'plain.mp4', content);
    expect(vader.stdout.slice(from)).not.toContain('Playing');
    const saved = await fs.readFile(path.join(dir, 'Yoda_plain.mp4'));
    expect(sha(saved)).toBe(sha(content));
    vader.kill();
  }, 120_000);

  it('reports a player command that cannot be started and still saves the file', async () => {
    const dir = await folder();
    const obiwan = await login(dir, 'obiwan', ['--player', 'nosuchplayer-tessenger --flag']);
    const content = randomBytes(2_000_001);
    const from = await send(obiwan, 'obiwan', 'broken.mp4', content);
    await obiwan.waitFor(
      'Could not start player nosuchplayer-tessenger (not found); saving broken.mp4 only',
      { from },
    );
    const saved = await fs.readFile(path.join(dir, 'Yoda_broken.mp4'));
    expect(sha(saved)).toBe(sha(content));
    obiwan.kill();
  }, 120_000);
});
