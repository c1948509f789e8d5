/**
 * Transfers through the server's relay, between real client cores on loopback: a client that
 * asks for relay only, a presenter that falls back to the relay when no probe is answered, and
 * clear failures on both sides when the server relays nothing.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatClient } from '../../src/client/chat-client.js';
import type { TransferInfo } from '../../src/client/transfers.js';
import { formatRoute, formatTransferFailed } from '../../src/presentation/transfer-text.js';
import { useClientCores } from '../helpers/client-cores.js';
import { sha256Of, writeTestFile } from '../helpers/transfer-harness.js';

const ended = (c: ChatClient, name: 'transfer-complete' | 'transfer-failed') =>
  new Promise<TransferInfo>((resolve) => c.once(name, resolve));

describe('relayed transfers', () => {
  const cores = useClientCores();

  it('--relay-only sends through the relay: the file arrives intact and both sides say so', async () => {
    const { client: yoda } = await cores.client('Yoda');
    const { client: obiwan, downloads } = await cores.client('obiwan');
    yoda.transfers.paths.relayOnly = true;
    const source = await writeTestFile(await cores.dir(), 'clip.bin', 3_000_000);
    const sent = ended(yoda, 'transfer-complete');
    const got = ended(obiwan, 'transfer-complete');
    const routes: string[] = [];
    yoda.on('transfer-path', (t) => routes.push(formatRoute(t)));
    obiwan.on('transfer-path', (t) => routes.push(formatRoute(t)));
    await yoda.transfers.sendFile('obiwan', source.path);
    const [s, r] = await Promise.all([sent, got]);
    expect(s.route).toBe('relayed');
    expect(r.route).toBe('relayed');
    expect(routes.sort()).toEqual([
      'Path to obiwan: relayed via server (--relay-only)',
      'no direct path from Yoda: relaying through the server',
    ]);
    expect(await sha256Of(path.join(downloads, 'Yoda_clip.bin'))).toBe(source.sha256);
    const relay = cores.server.server.udpStats?.relay;
    expect(relay?.forwardedBytes).toBeGreaterThan(3_000_000);
  });

  it('a presenter whose probes get no answer relays after its punch time-out', async () => {
    const { client: yoda } = await cores.client('Yoda');
    const { client: obiwan, downloads } = await cores.client('obiwan');
    // The audience announces nothing and answers no probe, as behind a symmetric NAT.
    obiwan.transfers.paths.relayOnly = true;
    yoda.transfers.paths.punchMs = 300;
    const source = await writeTestFile(await cores.dir(), 'talk.bin', 1_000_000);
    const route = new Promise<TransferInfo>((r) => yoda.once('transfer-path', r));
    const got = ended(obiwan, 'transfer-complete');
    await yoda.transfers.sendFile('obiwan', source.path);
    expect(formatRoute(await route)).toBe(
      'no direct path to obiwan after 0.3 s: relaying through the server',
    );
    await got;
    expect(await sha256Of(path.join(downloads, 'Yoda_talk.bin'))).toBe(source.sha256);
  });
});

describe('a server that does not relay', () => {
  const cores = useClientCores({}, { relay: false });

  it('fails clearly on both sides when there is no direct path, saving nothing', async () => {
    const { client: yoda } = await cores.client('Yoda');
    const { client: obiwan, downloads } = await cores.client('obiwan');
    obiwan.transfers.paths.relayOnly = true;
    yoda.transfers.paths.punchMs = 300;
    const source = await writeTestFile(await cores.dir(), 'talk.bin', 1_000_000);
    const presenter = ended(yoda, 'transfer-failed');
    const audience = ended(obiwan, 'transfer-failed');
    await yoda.transfers.sendFile('obiwan', source.path);
    expect(formatTransferFailed(await presenter)).toBe(
      'Transfer of talk.bin to obiwan failed: no direct path to obiwan after 0.3 s and the server does not relay',
    );
    expect(formatTransferFailed(await audience)).toMatch(
      /^Transfer of talk\.bin from Yoda failed: .*no direct path to obiwan after 0\.3 s and the server does not relay/,
    );
    expect(await fs.readdir(downloads)).toEqual([]);
    expect(yoda.transfers.activeCount).toBe(0);
    expect(obiwan.transfers.activeCount).toBe(0);
  });
});
