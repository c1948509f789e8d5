/**
 * The server's `transfer-peer-offline` push through real client cores, a real server and real
 * UDP engines whose stall time-out (10 min) is far longer than each test's time limit: the
 * transfer ends because the other side's session ended, not because it stalled.
 */
import fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { ChatClient } from '../../src/client/chat-client.js';
import type { TransferInfo } from '../../src/client/transfers.js';
import { formatTransferFailed } from '../../src/presentation/transfer-text.js';
import { useClientCores } from '../helpers/client-cores.js';
import { writeTestFile } from '../helpers/transfer-harness.js';

const failed = (c: ChatClient) =>
  new Promise<TransferInfo>((resolve) => c.once('transfer-failed', resolve));

describe('a transfer whose peer session ends', () => {
  const cores = useClientCores({ stallTimeoutMs: 600_000 });

  it('the audience stops at once when the presenter connection drops, keeping its part file', async () => {
    const { client: obiwan, downloads } = await cores.client('obiwan');
    // The presenter is a bare protocol client: its offer is accepted, then no datagram comes.
    const yoda = await cores.server.login('Yoda', 1);
    const presenterKeys = (await cores.engine()).createKeyPair();
    const incoming = new Promise<TransferInfo>((r) => obiwan.once('transfer-incoming', r));
    const ended = failed(obiwan);
    const reply = yoda.ok('p2p-offer', {
      to: 'obiwan',
      filename: 'talk.mp4',
      size: 5_000_000,
      sha256: 'ab'.repeat(32),
      publicKey: presenterKeys.publicKey,
    });
    await incoming;
    await reply;
    yoda.destroy();
    const info = await ended;
    expect(info).toMatchObject({ peerOffline: true, error: 'Yoda went offline' });
    expect(formatTransferFailed(info)).toBe(
      'Transfer of talk.mp4 from Yoda stopped: Yoda went offline; 0% kept, send it again to resume.',
    );
    // It left while the path was still being found: no receive had opened a part file yet,
    // so nothing is left behind (a receive that had bytes keeps them: cli-transfer-resume).
    expect((await fs.readdir(downloads)).some((n) => n.endsWith('.part'))).toBe(false);
    expect(obiwan.transfers.activeCount).toBe(0);
  });

  it('a repeated offer the server did not report ends the orphaned receive, not by stalling', async () => {
    // The presenter's session is still there (its process died but the server has not
    // noticed yet): the same presenter offering the same file again replaces its twin.
    const { client: obiwan } = await cores.client('obiwan');
    const yoda = await cores.server.login('Yoda', 1);
    const offer = {
      to: 'obiwan',
      filename: 'talk.mp4',
      size: 5_000_000,
      sha256: 'cd'.repeat(32),
      publicKey: (await cores.engine()).createKeyPair().publicKey,
    };
    const first = new Promise<TransferInfo>((r) => obiwan.once('transfer-incoming', r));
    await yoda.ok('p2p-offer', offer);
    const orphan = await first;
    const ended = failed(obiwan);
    const second = yoda.ok('p2p-offer', offer);
    const info = await ended;
    expect(info.transferId).toBe(orphan.transferId);
    expect(info.peerOffline).toBeUndefined();
    expect(formatTransferFailed(info)).toBe(
      'Transfer of talk.mp4 from Yoda failed: transfer cancelled: the presenter sent the same file again',
    );
    expect((await second).transferId).not.toBe(orphan.transferId);
    expect(obiwan.transfers.activeCount).toBe(1);
  });

  it('the presenter stops at once when the audience connection drops', async () => {
    const source = await writeTestFile(await cores.dir(), 'talk.mp4', 5_000_000);
    const { client: yoda } = await cores.client('Yoda');
    // The audience is a bare protocol client that accepts and then vanishes.
    const obiwan = await cores.server.login('obiwan', 1);
    const audienceKeys = (await cores.engine()).createKeyPair();
    const ended = failed(yoda);
    const started = yoda.run({ name: 'p2pvideo', to: 'obiwan', file: source.path });
    const offer = await obiwan.push('transfer-offer');
    await obiwan.ok('p2p-answer', {
      transferId: offer.transferId,
      accept: true,
      publicKey: audienceKeys.publicKey,
      reason: '',
    });
    await started;
    obiwan.destroy();
    const info = await ended;
    expect(info).toMatchObject({ direction: 'send', peerOffline: true });
    expect(formatTransferFailed(info)).toBe(
      'Transfer of talk.mp4 to obiwan stopped: obiwan went offline; 0% delivered, send it again when they are back to resume.',
    );
    expect(yoda.transfers.activeCount).toBe(0);
  });
});
