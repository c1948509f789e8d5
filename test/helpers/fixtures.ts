/**
 * The files in fixtures/ (see fixtures/README.md): the sample users, the video clip and the
 * hostile-frame corpus, read from there so no test keeps its own copy.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures',
);

/** fixtures/credentials.txt as written to each test server's folder. */
export const CREDENTIALS_TEXT = readFileSync(path.join(FIXTURES, 'credentials.txt'), 'utf8');

/** The sample users by name; a password runs from the first space to the end of its line. */
export const SAMPLE_USERS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(
    CREDENTIALS_TEXT.split('\n')
      .filter((l) => l.includes(' '))
      .map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]),
  ),
);

/** A 4 s MPEG-TS clip (H.264 + AAC); fixtures/README.md has the ffmpeg command that made it. */
export const CLIP = path.join(FIXTURES, 'clip.mpegts');

/** What ffprobe reads in a file: container, duration in seconds, stream codecs in order. */
export interface Probe {
  format: string;
  duration: number;
  codecs: string[];
}

/** Runs ffprobe (Debian's `ffmpeg` package; .ci/run installs it) on a file. */
export async function probeVideo(file: string): Promise<Probe> {
  const { stdout } = await promisify(execFile)('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'format=format_name,duration:stream=codec_name',
    '-of',
    'json',
    file,
  ]).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new Error('ffprobe not found: apt-get install -y ffmpeg');
    throw err;
  });
  const out = JSON.parse(stdout) as {
    format: { format_name: string; duration: string };
    streams: Array<{ codec_name: string }>;
  };
  return {
    format: out.format.format_name,
    duration: Number(out.format.duration),
    codecs: out.streams.map((s) => s.codec_name),
  };
}

/** The clip as the tests expect ffprobe to see it on arrival. */
export const CLIP_PROBE = { format: 'mpegts', codecs: ['h264', 'aac'] };

/** fixtures/frames/: one hostile control line per file, each a past crash or bug. */
export const FRAME_CORPUS_DIR = path.join(FIXTURES, 'frames');

/** The corpus as [file name, bytes] pairs, in name order; a file holds one line, newline-free. */
export function frameCorpus(): Array<[string, Buffer]> {
  return readdirSync(FRAME_CORPUS_DIR)
    .filter((f) => f.endsWith('.line'))
    .sort()
    .map((f) => [f, readFileSync(path.join(FRAME_CORPUS_DIR, f))]);
}
