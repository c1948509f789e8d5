import dgram from 'node:dgram';
import fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createTransferEngine } from '../../src/transfer/engine.js';
import {
  enginePairsClosedAfterEach,
  sha256Of,
  startTransfer,
  tempDir,
  writeTestFile,
} from '../helpers/transfer-harness.js';

describe('transfer engine against hostile datagrams', () => {
  const openPair = enginePairsClosedAfterEach();

  it('drops and counts forged, replayed, garbage and off-path datagrams; the file stays intact', async () => {
    const pair = await openPair({
      engine: { chunkSize: 4096 },
      impairment: { rateBytesPerSec: 8_000_000 },
    });
    const proxy = pair.proxy!;
    const recorded: Buffer[] = [];
    proxy.tap((from, d) => {
      if (from === 'a' && recorded.length < 200) recorded.push(Buffer.from(d));
    });
    const src = await tempDir();
    const dst = await tempDir();
    const file = await writeTestFile(src, 'target.bin', 3 * 1024 * 1024);
    const t = startTransfer(pair, file, dst);
    const stranger = dgram.createSocket('udp4');
    await new Promise<void>((r) => stranger.bind(0, '127.0.0.1', r));
    const attack = setInterval(() => {
      if (recorded.length < 20) return;
      const sample = recorded[Math.floor(Math.random() * recorded.length)]!;
      // Replays: authentic bytes sent again through the proxy's address.
      proxy.inject('b', sample);
      // Forgeries: one flipped bit in the ciphertext or in the header.
      const forged = Buffer.from(sample);
      forged[forged.length - 20] = forged[forged.length - 20]! ^ 1;
      proxy.inject('b', forged);
      const badHeader = Buffer.from(sample);
      badHeader[15] = badHeader[15]! ^ 0x40;
      proxy.inject('b', badHeader);
      // Garbage and a stranger replaying from another address.
      proxy.inject('b', Buffer.from('not a datagram at all, just text'));
      stranger.send(sample, pair.receiver.port, '127.0.0.1');
    }, 5);
    try {
      const [, got] = await Promise.all([t.send.done, t.receive.done]);
      expect(await sha256Of(got.path!)).toBe(file.sha256);
    } finally {
      clearInterval(attack);
      stranger.close();
    }
    expect(t.receive.stats.replays).toBeGreaterThan(0);
    expect(t.receive.stats.authFailures).toBeGreaterThan(0);
    expect(pair.receiver.stats.malformed).toBeGreaterThan(0);
    expect(pair.receiver.stats.badAddress).toBeGreaterThan(0);
    // Nothing unauthenticated is ever answered: the receiver sent only ACK/DONE to real data.
    expect(t.receive.stats.datagramsSent).toBeLessThan(t.receive.stats.datagramsReceived + 50);
  });

  it('rejects a malformed peer key with BAD_KEY and a missing file with FILE_ERROR', async () => {
    const pair = await openPair();
    const keys = pair.sender.createKeyPair();
    const bad = pair.sender.send({
      transferId: 'k',
      peer: pair.toReceiver,
      filePath: '/nonexistent',
      size: 1,
      sha256: '0'.repeat(64),
      keys,
      remotePublicKey: 'AAAA',
    });
    await expect(bad.done).rejects.toMatchObject({ code: 'BAD_KEY' });
    const missing = pair.sender.send({
      transferId: 'm',
      peer: pair.toReceiver,
      filePath: '/nonexistent/file.bin',
      size: 1,
      sha256: '0'.repeat(64),
      keys,
      remotePublicKey: pair.receiver.createKeyPair().publicKey,
    });
    await expect(missing.done).rejects.toMatchObject({
      code: 'FILE_ERROR',
      message: expect.stringContaining('/nonexistent/file.bin'),
    });
  });

  it('refuses a port in use with an error naming the port', async () => {
    const pair = await openPair();
    await expect(
      createTransferEngine({ port: pair.sender.port, host: '127.0.0.1' }),
    ).rejects.toThrow(new RegExp(`UDP port ${pair.sender.port}.*in use`));
  });

  it('never overwrites: a taken final name gets -1, then -2', async () => {
    const pair = await openPair({ engine: { chunkSize: 1000 } });
    const src = await tempDir();
    const dst = await tempDir();
    await fs.writeFile(`${dst}/Yoda_notes.txt`, 'mine, keep');
    const file = await writeTestFile(src, 'notes.txt', 5000);
    const one = startTransfer(pair, file, dst);
    expect((await one.receive.done).path).toBe(`${dst}/Yoda_notes-1.txt`);
    await one.send.done;
    const two = startTransfer(pair, file, dst);
    expect((await two.receive.done).path).toBe(`${dst}/Yoda_notes-2.txt`);
    await two.send.done;
    expect(await fs.readFile(`${dst}/Yoda_notes.txt`, 'utf8')).toBe('mine, keep');
    expect(await sha256Of(`${dst}/Yoda_notes-2.txt`)).toBe(file.sha256);
  });

  it('fails both sides with HASH_MISMATCH when the bytes do not match the offer, keeping nothing', async () => {
    const pair = await openPair({ engine: { chunkSize: 1000 } });
    const src = await tempDir();
    const dst = await tempDir();
    const file = await writeTestFile(src, 'changed.bin', 10_000, 1);
    // The presenter's file changes after it was hashed and offered (same size).
    await writeTestFile(src, 'changed.bin', 10_000, 2);
    const t = startTransfer(pair, file, dst);
    const [s, r] = await Promise.allSettled([t.send.done, t.receive.done]);
    expect(s).toMatchObject({ status: 'rejected', reason: { code: 'HASH_MISMATCH' } });
    expect(r).toMatchObject({ status: 'rejected', reason: { code: 'HASH_MISMATCH' } });
    expect(await fs.readdir(dst)).toEqual([]);
  });
});
