/** The relay's diagnostic log line and its idle time-out, on the server's manual clock. */
import { describe, expect, it } from 'vitest';
import { RELAY_IDLE_MS } from '../../src/server/relay/relay.js';
import type { Logger } from '../../src/util/logger.js';
import { useTestServer } from '../helpers/server-fixture.js';
import { acceptedTransfer, allocPacket, transferDatagram, UdpPeer } from '../helpers/udp-peer.js';

const lines: { message: string; meta?: Record<string, unknown> }[] = [];
const logger: Logger = {
  debug: () => {},
  info: (message, meta) => lines.push({ message, ...(meta ? { meta } : {}) }),
  warn: () => {},
  error: () => {},
};

describe('relay diagnostics', () => {
  const h = useTestServer({ logger });

  async function relayedWithTraffic() {
    lines.length = 0;
    const { yoda, obiwan, transferId, tag } = await acceptedTransfer(h.t);
    await obiwan.client.ok('p2p-relay', { transferId });
    await yoda.client.push('transfer-relay');
    const udp = h.t.server.udpPort!;
    const a = await UdpPeer.open();
    const b = await UdpPeer.open();
    await a.send(allocPacket(yoda.grant, tag, 0), udp);
    await a.next();
    await b.send(allocPacket(obiwan.grant, tag, 1), udp);
    await b.next();
    for (let seq = 1; seq <= 3; seq++) {
      await a.send(transferDatagram(tag, 0, seq, 480), udp);
      await b.next();
    }
    await b.send(transferDatagram(tag, 1, 1, 80), udp);
    await a.next();
    return {
      yoda,
      obiwan,
      transferId,
      tag,
      a,
      b,
      close: () => Promise.all([a.close(), b.close()]),
    };
  }

  const closedLines = () => lines.filter((l) => l.message === 'relay closed');

  it('logs the bytes relayed each way once, when a session ends', async () => {
    const t = await relayedWithTraffic();
    t.yoda.client.destroy();
    await expect.poll(() => closedLines().length).toBe(1);
    expect(closedLines()[0]?.meta).toEqual({
      transferId: t.transferId,
      from: 'Yoda',
      to: 'obiwan',
      bytesToAudience: 3 * 500,
      bytesToPresenter: 100,
      datagrams: 4,
      reason: 'Yoda left',
    });
    t.obiwan.client.destroy();
    await t.obiwan.client.closed;
    expect(closedLines()).toHaveLength(1);
    await t.close();
  });

  it('closes an allocation idle for 30 s, not one that is still busy', async () => {
    const t = await relayedWithTraffic();
    expect(h.t.clock.advance(RELAY_IDLE_MS - 1000)).toBe(0);
    // A datagram 1 s before the time-out: the timer re-arms for the rest of the idle time.
    await t.a.send(transferDatagram(t.tag, 0, 4, 480), h.t.server.udpPort!);
    await t.b.next();
    expect(h.t.clock.advance(1000)).toBe(1);
    expect(closedLines()).toHaveLength(0);
    expect(h.t.clock.advance(RELAY_IDLE_MS - 1001)).toBe(0);
    expect(h.t.clock.advance(1)).toBe(1);
    expect(closedLines()[0]?.meta).toMatchObject({ reason: 'no datagram for 30 s', datagrams: 5 });
    expect(h.t.server.relayCounts(t.transferId)).toBeUndefined();
    expect(h.t.clock.pending).toBe(0);
    await t.close();
  });
});
