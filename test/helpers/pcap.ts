/**
 * Captures what crosses a namespace's interfaces with tcpdump (from Debian's package) and reads
 * the UDP payloads back from the pcap file, so a test can check what a relay carried.
 */
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { NetnsHost } from './netns.js';

export interface Capture {
  /** Stops tcpdump and returns the captured packets' bytes (link header included). */
  stop(): Promise<Buffer[]>;
}

/** Starts tcpdump in `host` on every interface for `filter`; resolves once it listens. */
export async function startCapture(
  host: NetnsHost,
  file: string,
  filter: string,
): Promise<Capture> {
  const child: ChildProcess = host.exec([
    'tcpdump',
    '-Z',
    'root',
    '-i',
    'any',
    '-U',
    '-n',
    '-s',
    '0',
    '-w',
    file,
    filter,
  ]);
  await new Promise<void>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${text}`)), 10_000);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      text += d;
      if (text.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`tcpdump exited (${code}): ${text}`)));
  });
  return {
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await exited;
      return readPcap(await readFile(file));
    },
  };
}

/** Packets of a classic little-endian pcap file. */
export function readPcap(bytes: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  if (bytes.length < 24 || bytes.readUInt32LE(0) !== 0xa1b2c3d4) return packets;
  let at = 24;
  while (at + 16 <= bytes.length) {
    const caught = bytes.readUInt32LE(at + 8);
    packets.push(bytes.subarray(at + 16, at + 16 + caught));
    at += 16 + caught;
  }
  return packets;
}
