/**
 * The tools a user would pick instead of Tessenger, on loopback: scp to a local sshd and a
 * TLS 1.3 stream (receiver in a worker thread, as Tessenger's receiver is). Every copy is
 * checked against the source's SHA-256, outside the timed part for scp (scp checks its own
 * MAC/AEAD, not the file) and inside it for TLS (the receiver hashes as it reads).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Sample } from './baselines.js';
import { startWorker } from './baselines.js';
import type { Sshd } from './scp.js';
import { sendOverTls, type TlsFiles } from './tls-stream.js';

/** A source file and its SHA-256. */
export interface SourceFile {
  file: string;
  sha256: string;
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** One scp of `src` with `cipher`, timed from scp's start to its exit (handshake included). */
export async function scpSample(
  sshd: Sshd,
  src: SourceFile,
  bytes: number,
  cipher: string,
): Promise<Sample> {
  const dest = `copy-${cipher.replace(/\W/g, '')}.bin`;
  const ms = await sshd.copy(src.file, dest, cipher);
  const copy = `${sshd.inbox}/${dest}`;
  const sha256 = await sha256File(copy);
  await fs.promises.rm(copy, { force: true });
  if (sha256 !== src.sha256) throw new Error(`scp ${cipher}: the copy's SHA-256 differs`);
  return { mbps: bytes / ms / 1000 };
}

/** scp's fixed cost: a 0-byte file (connection, key exchange, auth, SFTP session), in ms. */
export async function scpSetupMs(sshd: Sshd, empty: string): Promise<number> {
  const ms = await sshd.copy(empty, 'empty.bin', 'aes128-gcm@openssh.com');
  await fs.promises.rm(`${sshd.inbox}/empty.bin`, { force: true });
  return ms;
}

/** One TLS 1.3 (AES-256-GCM) stream of `src` over loopback TCP. */
export async function tlsSample(src: SourceFile, bytes: number, files: TlsFiles): Promise<Sample> {
  const sink = startWorker({ kind: 'tls-sink', files });
  try {
    const { port } = await sink.next<{ port: number }>();
    const sent = await sendOverTls('127.0.0.1', port, src.file, files);
    const got = await sink.next<{ bytes: number; sha256: string; error?: string }>();
    if (got.error) throw new Error(`TLS receiver: ${got.error}`);
    if (sent.sha256 !== src.sha256 || got.bytes !== bytes) {
      throw new Error('TLS: the receiver hashed something other than the source');
    }
    return { mbps: bytes / sent.ms / 1000 };
  } finally {
    await sink.done();
  }
}
