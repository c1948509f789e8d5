/** The server's UDP side over real sockets: binding, relay allocation and forwarding, refusals. */
import { afterEach, describe, expect, it } from 'vitest';
import { decodePath, newTxn, PathType, REQUEST_BYTES } from '../../src/transfer/path/packet.js';
import { transferTag } from '../../src/transfer/wire/crypto.js';
import { USERS, useTestServer } from '../helpers/server-fixture.js';
import {
  acceptedTransfer,
  allocPacket,
  bindPacket,
  grantKeys,
  OFFER,
  signIn as signInAs,
  transferDatagram,
  UdpPeer,
} from '../helpers/udp-peer.js';

describe('server UDP side', () => {
  const h = useTestServer();
  const peers: UdpPeer[] = [];
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
  });

  async function peer(host = '127.0.0.1'): Promise<UdpPeer> {
    const p = await UdpPeer.open(host);
    peers.push(p);
    return p;
  }

  const signIn = (username: string) => signInAs(h.t, username);

  async function accepted() {
    const t = await acceptedTransfer(h.t);
    expect(t.relay).toEqual({ offer: true, reply: true });
    return t;
  }

  /** Accepted and relayed, with both sides allocated from their own UDP socket. */
  async function relayed() {
    const t = await accepted();
    expect(await t.yoda.client.ok('p2p-relay', { transferId: t.transferId })).toEqual({
      transferId: t.transferId,
    });
    expect(await t.obiwan.client.push('transfer-relay')).toEqual({
      type: 'transfer-relay',
      transferId: t.transferId,
    });
    const a = await peer();
    const b = await peer();
    const udp = h.t.server.udpPort!;
    await a.send(allocPacket(t.yoda.grant, t.tag, 0), udp);
    const okA = await a.next();
    expect(okA.data.length).toBeLessThan(REQUEST_BYTES);
    const decoded = decodePath(okA.data, grantKeys(t.yoda.grant).key);
    expect(decoded).toMatchObject({ ok: true, value: { type: PathType.AllocOk } });
    await b.send(allocPacket(t.obiwan.grant, t.tag, 1), udp);
    await b.next();
    return { ...t, a, b, udp };
  }

  it('answers a signed BIND with the address and port it came from', async () => {
    const { grant } = await signIn('Yoda');
    expect(grant.port).toBe(h.t.server.udpPort);
    const p = await peer();
    const txn = newTxn();
    const request = bindPacket(grant, txn);
    await p.send(request, grant.port);
    const answer = await p.next();
    expect(answer.data.length).toBeLessThan(request.length);
    const decoded = decodePath(answer.data, grantKeys(grant).key);
    expect(decoded).toEqual({
      ok: true,
      value: expect.objectContaining({
        type: PathType.BindOk,
        txn,
        mapped: { address: '127.0.0.1', port: p.port },
      }),
    });
    expect(h.t.server.udpStats?.binding.answered).toBe(1);
  });

  it('drops bad MACs, unknown sessions, truncated and garbage datagrams unanswered', async () => {
    const { grant } = await signIn('Yoda');
    const p = await peer();
    const good = bindPacket(grant);
    const badMac = Buffer.from(good);
    badMac[badMac.length - 1]! ^= 1;
    const unknown = Buffer.from(good);
    unknown[4]! ^= 0xff;
    const hostile = [
      badMac,
      unknown,
      good.subarray(0, 40),
      Buffer.alloc(64, 0x50),
      Buffer.from('GET / HTTP/1.1\r\n'),
    ];
    for (const d of hostile) await p.send(d, grant.port);
    // In order on loopback: had any hostile datagram been answered, it would arrive first.
    const txn = newTxn();
    await p.send(bindPacket(grant, txn), grant.port);
    const first = await p.next();
    expect(decodePath(first.data, grantKeys(grant).key)).toMatchObject({
      ok: true,
      value: { txn },
    });
    expect(p.pending).toBe(0);
    expect(h.t.server.udpStats).toMatchObject({
      received: 6,
      garbage: 1,
      binding: { answered: 1, badMac: 1, unknownSession: 1, malformed: 2 },
    });
  });

  it('relays transfer datagrams both ways unchanged and counts the bytes', async () => {
    const { a, b, udp, tag, transferId } = await relayed();
    const toAudience = transferDatagram(tag, 0, 1, 1000);
    await a.send(toAudience, udp);
    const got = await b.next();
    expect(got.data).toEqual(toAudience);
    expect(got.port).toBe(udp);
    const toPresenter = transferDatagram(tag, 1, 1, 30);
    await b.send(toPresenter, udp);
    expect((await a.next()).data).toEqual(toPresenter);
    expect(h.t.server.relayCounts(transferId)).toEqual({
      bytesToAudience: toAudience.length,
      bytesToPresenter: toPresenter.length,
      datagrams: 2,
    });
    expect(h.t.server.udpStats?.relay).toMatchObject({
      allocated: 2,
      forwardedDatagrams: 2,
      forwardedBytes: toAudience.length + toPresenter.length,
    });
  });

  it('drops datagrams with a relayed tag from any other address, and wrong directions', async () => {
    const { a, b, udp, tag } = await relayed();
    const mallory = await peer();
    await mallory.send(transferDatagram(tag, 0, 7), udp);
    await mallory.send(transferDatagram(tag, 1, 7), udp);
    // The presenter's own endpoint sending as the audience (direction 1) is not forwarded either.
    await a.send(transferDatagram(tag, 1, 8), udp);
    await b.send(transferDatagram(transferTag('other'), 1, 9), udp);
    const real = transferDatagram(tag, 0, 10);
    await a.send(real, udp);
    expect((await b.next()).data).toEqual(real);
    expect(b.pending).toBe(0);
    expect(mallory.pending).toBe(0);
    expect(a.pending).toBe(0);
    expect(h.t.server.udpStats?.relay.dropped).toMatchObject({ wrongSource: 3, unknownTag: 1 });
    expect(h.t.server.udpStats?.relay.forwardedDatagrams).toBe(1);
  });

  it('follows an endpoint that allocates again from a new address', async () => {
    const { a, b, udp, tag, yoda } = await relayed();
    const moved = await peer();
    await moved.send(allocPacket(yoda.grant, tag, 0), udp);
    await moved.next();
    await a.send(transferDatagram(tag, 0, 1), udp);
    const fresh = transferDatagram(tag, 0, 2);
    await moved.send(fresh, udp);
    expect((await b.next()).data).toEqual(fresh);
    expect(h.t.server.udpStats?.relay.dropped.wrongSource).toBe(1);
  });

  it('refuses ALLOC for a transfer of others, the wrong role, or a tag not relayed', async () => {
    const t = await accepted();
    const udp = h.t.server.udpPort!;
    const hans = await signIn('Hans');
    const p = await peer();
    // Accepted but not relayed yet: no allocation.
    await p.send(allocPacket(t.yoda.grant, t.tag, 0), udp);
    await t.yoda.client.ok('p2p-relay', { transferId: t.transferId });
    await p.send(allocPacket(hans.grant, t.tag, 0), udp);
    await p.send(allocPacket(t.obiwan.grant, t.tag, 0), udp);
    await p.send(allocPacket(t.yoda.grant, transferTag('nope'), 0), udp);
    const txn = newTxn();
    await p.send(bindPacket(t.yoda.grant, txn), udp);
    const first = await p.next();
    expect(decodePath(first.data, grantKeys(t.yoda.grant).key)).toMatchObject({
      ok: true,
      value: { type: PathType.BindOk, txn },
    });
    expect(h.t.server.udpStats?.relay).toMatchObject({
      allocated: 0,
      dropped: { unknownTag: 2, notParty: 2 },
    });
  });

  it('refuses p2p-relay for an unknown transfer or one of others', async () => {
    const t = await accepted();
    const hans = await signIn('Hans');
    expect((await hans.client.fail('p2p-relay', { transferId: t.transferId })).code).toBe(
      'NO_SUCH_TRANSFER',
    );
    expect((await t.yoda.client.fail('p2p-relay', { transferId: 'nope' })).code).toBe(
      'NO_SUCH_TRANSFER',
    );
    expect(
      (await hans.client.fail('p2p-cancel', { transferId: t.transferId, reason: '' })).code,
    ).toBe('NO_SUCH_TRANSFER');
  });

  it('p2p-cancel tells the other side and forgets the transfer', async () => {
    const t = await accepted();
    expect(
      await t.obiwan.client.ok('p2p-cancel', { transferId: t.transferId, reason: 'disk full' }),
    ).toEqual({});
    expect(await t.yoda.client.push('transfer-cancelled')).toEqual({
      type: 'transfer-cancelled',
      transferId: t.transferId,
      reason: 'obiwan cancelled: disk full',
    });
    expect((await t.yoda.client.fail('p2p-relay', { transferId: t.transferId })).code).toBe(
      'NO_SUCH_TRANSFER',
    );
  });

  it('closes the allocation when a session ends and logs the bytes relayed', async () => {
    const { a, b, udp, tag, transferId, obiwan } = await relayed();
    await a.send(transferDatagram(tag, 0, 1, 100), udp);
    await b.next();
    obiwan.client.destroy();
    await obiwan.client.closed;
    await expect.poll(() => h.t.server.relayCounts(transferId)).toBeUndefined();
  });
});

describe('server UDP side, relay off', () => {
  const h = useTestServer({ relay: false });

  it('refuses p2p-relay with RELAY_DISABLED and cancels the transfer on the other side', async () => {
    const yoda = await h.t.connect();
    const login = await yoda.ok('login', { username: 'Yoda', password: USERS.Yoda, udpPort: 6000 });
    expect(login.udp.relay).toBe(false);
    const obiwan = await h.t.login('obiwan');
    const pending = yoda.request('p2p-offer', OFFER);
    const offer = await obiwan.push('transfer-offer');
    expect(offer.relay).toBe(false);
    const { transferId } = offer;
    await obiwan.ok('p2p-answer', { transferId, accept: true, publicKey: 'k2', reason: '' });
    expect(await pending).toMatchObject({ data: { relay: false } });
    const refused = await yoda.fail('p2p-relay', { transferId });
    expect(refused.code).toBe('RELAY_DISABLED');
    expect(refused.message).toBe("The server's relay is off: no direct path to obiwan.");
    expect(await obiwan.push('transfer-cancelled')).toEqual({
      type: 'transfer-cancelled',
      transferId,
      reason: "no direct path between Yoda and obiwan and the server's relay is off",
    });
    // Forgotten: the audience cannot ask again.
    expect((await obiwan.fail('p2p-relay', { transferId })).code).toBe('NO_SUCH_TRANSFER');
  });
});

describe('server UDP side, no UDP port', () => {
  const h = useTestServer({ udpPort: null });

  it('grants nothing and refuses relays', async () => {
    expect(h.t.server.udpPort).toBeNull();
    expect(h.t.server.udpStats).toBeNull();
    const c = await h.t.connect();
    expect(await c.ok('login', { username: 'Yoda', password: USERS.Yoda, udpPort: 6000 })).toEqual({
      username: 'Yoda',
      ticket: expect.any(String),
    });
  });
});
