/**
 * Test wiring for the transfer engine: temp folders, files of known SHA-256, two engines on
 * 127.0.0.1 (optionally with the impairment proxy between them) and a transfer run the way
 * the client core does it (receive first, then send, keys exchanged out of band).
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import {
  createTransferEngine,
  type EngineOptions,
  type UdpTransferEngine,
} from '../../src/transfer/engine.js';
import { hashFile } from '../../src/transfer/files/hash.js';
import type { ReceiveTransfer } from '../../src/transfer/receiver.js';
import type { SendTransfer } from '../../src/transfer/sender.js';
import { createUdpProxy, type Impairment, type UdpProxy } from './udp-proxy.js';

export async function tempDir(prefix = 'tessenger-transfer-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export interface TestFile {
  path: string;
  size: number;
  sha256: string;
}

/** Writes `size` seeded pseudo-random bytes (AES-CTR keystream), 1 MiB at a time. */
export async function writeTestFile(
  dir: string,
  name: string,
  size: number,
  seed = 7,
): Promise<TestFile> {
  const file = path.join(dir, name);
  const key = crypto.createHash('sha256').update(`seed ${seed}`).digest().subarray(0, 16);
  const stream = crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const hash = crypto.createHash('sha256');
  const fh = await fs.open(file, 'w');
  try {
    for (let done = 0; done < size; ) {
      const n = Math.min(1024 * 1024, size - done);
      const buf = stream.update(Buffer.alloc(n));
      hash.update(buf);
      await fh.write(buf, 0, n);
      done += n;
    }
  } finally {
    await fh.close();
  }
  return { path: file, size, sha256: hash.digest('hex') };
}

export async function sha256Of(file: string): Promise<string> {
  return (await hashFile(file)).sha256;
}

export interface EnginePair {
  sender: UdpTransferEngine;
  receiver: UdpTransferEngine;
  proxy: UdpProxy | null;
  /** How the sender reaches the receiver, and the receiver expects the sender. */
  toReceiver: { address: string; port: number };
  toSender: { address: string; port: number };
  close(): Promise<void>;
}

export async function enginePair(
  options: { engine?: Partial<EngineOptions>; impairment?: Impairment; seed?: number } = {},
): Promise<EnginePair> {
  const base = { port: 0, host: '127.0.0.1', ...options.engine };
  const sender = await createTransferEngine(base);
  const receiver = await createTransferEngine(base);
  const proxy = options.impairment
    ? await createUdpProxy({
        a: { port: sender.port },
        b: { port: receiver.port },
        seed: options.seed,
        impairment: options.impairment,
      })
    : null;
  let closing: Promise<void> | undefined;
  return {
    sender,
    receiver,
    proxy,
    toReceiver: { address: '127.0.0.1', port: proxy ? proxy.portForA : receiver.port },
    toSender: { address: '127.0.0.1', port: proxy ? proxy.portForB : sender.port },
    /** Closes both engines and the proxy; later calls wait for the same closing. */
    close() {
      closing ??= (async () => {
        await Promise.all([sender.close(), receiver.close()]);
        await proxy?.close();
      })();
      return closing;
    },
  };
}

export interface StartedTransfer {
  send: SendTransfer;
  receive: ReceiveTransfer;
}

/** Starts a transfer of `file` from pair.sender to pair.receiver into `dir`. */
export function startTransfer(
  pair: Pick<EnginePair, 'sender' | 'receiver' | 'toReceiver' | 'toSender'>,
  file: TestFile,
  dir: string,
  extra: { fileName?: string; transferId?: string; stream?: NodeJS.WritableStream } = {},
): StartedTransfer {
  const transferId = extra.transferId ?? crypto.randomUUID();
  const sKeys = pair.sender.createKeyPair();
  const rKeys = pair.receiver.createKeyPair();
  const receive = pair.receiver.receive({
    transferId,
    peer: pair.toSender,
    dir,
    fileName: extra.fileName ?? `Yoda_${path.basename(file.path)}`,
    size: file.size,
    sha256: file.sha256,
    keys: rKeys,
    remotePublicKey: sKeys.publicKey,
    stream: extra.stream,
  });
  const send = pair.sender.send({
    transferId,
    peer: pair.toReceiver,
    filePath: file.path,
    size: file.size,
    sha256: file.sha256,
    keys: sKeys,
    remotePublicKey: rKeys.publicKey,
  });
  return { send, receive };
}

/**
 * enginePair for a describe block: returns the function to open pairs with, and closes every
 * pair it opened after each test.
 */
export function enginePairsClosedAfterEach(): (
  options?: Parameters<typeof enginePair>[0],
) => Promise<EnginePair> {
  const open: EnginePair[] = [];
  afterEach(async () => {
    for (const pair of open.splice(0)) await pair.close();
  });
  return async (options) => {
    const pair = await enginePair(options);
    open.push(pair);
    return pair;
  };
}
