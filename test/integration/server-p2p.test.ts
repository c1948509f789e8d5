import { afterEach, describe, expect, it } from 'vitest';
import { MAX_OFFERS_PER_PRESENTER } from '../../src/server/transfers.js';
import { useTestServer } from '../helpers/server-fixture.js';

const OFFER = {
  to: 'obiwan',
  filename: 'lecture1.mp4',
  size: 1234,
  sha256: 'ab'.repeat(32),
  publicKey: 'presenter-key',
};

describe('server P2P rendezvous', () => {
  const h = useTestServer({ offerTimeoutMs: 60_000 });
  afterEach(() => {
    expect(h.t.clock.pending).toBe(0);
  });

  async function offered() {
    const yoda = await h.t.login('Yoda', 6666);
    const obiwan = await h.t.login('obiwan', 7777);
    const pending = yoda.request('p2p-offer', OFFER);
    const offer = await obiwan.push('transfer-offer');
    return { yoda, obiwan, pending, offer };
  }

  it('brokers endpoints and keys when the audience accepts', async () => {
    const { obiwan, pending, offer } = await offered();
    expect(offer).toEqual({
      type: 'transfer-offer',
      transferId: expect.stringMatching(/^[0-9a-f]{16}$/),
      from: 'Yoda',
      filename: 'lecture1.mp4',
      size: 1234,
      sha256: 'ab'.repeat(32),
      publicKey: 'presenter-key',
      peer: { address: '127.0.0.1', port: 6666 },
      candidates: [],
      relay: true,
    });
    expect(h.t.lines).toContain('Yoda started a P2P transfer of lecture1.mp4 to obiwan');
    const answer = { transferId: offer.transferId, accept: true, publicKey: 'aud-key', reason: '' };
    expect(await obiwan.ok('p2p-answer', answer)).toEqual({});
    expect(await pending).toMatchObject({
      type: 'ok',
      data: {
        transferId: offer.transferId,
        peer: { address: '127.0.0.1', port: 7777 },
        publicKey: 'aud-key',
      },
    });
    expect(h.t.clock.pending).toBe(0);
    // Settled: a second answer finds nothing.
    expect((await obiwan.fail('p2p-answer', answer)).code).toBe('NO_SUCH_TRANSFER');
  });

  it('reports a decline with the reason', async () => {
    const { obiwan, pending, offer } = await offered();
    await obiwan.ok('p2p-answer', {
      transferId: offer.transferId,
      accept: false,
      publicKey: '',
      reason: 'busy',
    });
    const r = await pending;
    expect(r).toMatchObject({ type: 'error', code: 'TRANSFER_DECLINED', reason: 'busy' });
    expect(r.type === 'error' && r.message).toMatch(/obiwan declined.*busy/);
  });

  it('times out an unanswered offer and tells the audience', async () => {
    const { obiwan, pending } = await offered();
    expect(h.t.clock.advance(60_000)).toBe(1);
    expect(await pending).toMatchObject({ type: 'error', code: 'TRANSFER_TIMEOUT' });
    expect((await obiwan.push('transfer-cancelled')).reason).toMatch(/timed out/);
  });

  it('fails the offer when the audience disconnects', async () => {
    const { obiwan, pending } = await offered();
    obiwan.destroy();
    expect(await pending).toMatchObject({
      type: 'error',
      code: 'USER_OFFLINE',
      message: 'obiwan is offline',
    });
  });

  it('cancels towards the audience when the presenter disconnects', async () => {
    const { yoda, obiwan, pending, offer } = await offered();
    // Attached before the destroy: the presenter's own wait ends with its connection.
    const presenterGone = pending.catch((err: Error) => err.message);
    yoda.destroy();
    const cancelled = await obiwan.push('transfer-cancelled');
    expect(cancelled).toEqual({
      type: 'transfer-cancelled',
      transferId: offer.transferId,
      reason: 'Yoda is offline',
    });
    expect(await presenterGone).toMatch(/closed/);
    const late = { transferId: offer.transferId, accept: true, publicKey: 'k', reason: '' };
    expect((await obiwan.fail('p2p-answer', late)).code).toBe('NO_SUCH_TRANSFER');
  });

  it('refuses answers for unknown transfers or from the wrong user', async () => {
    const { yoda, pending, offer } = await offered();
    const vader = await h.t.login('vader');
    const answer = { transferId: offer.transferId, accept: true, publicKey: 'k', reason: '' };
    expect((await vader.fail('p2p-answer', answer)).code).toBe('NO_SUCH_TRANSFER');
    expect((await yoda.fail('p2p-answer', answer)).code).toBe('NO_SUCH_TRANSFER');
    const unknown = { ...answer, transferId: 'ffffffffffffffff' };
    expect((await vader.fail('p2p-answer', unknown)).code).toBe('NO_SUCH_TRANSFER');
    h.t.clock.advance(60_000);
    await pending;
  });

  it('refuses unknown, self and offline audiences', async () => {
    const yoda = await h.t.login('Yoda');
    expect(await yoda.fail('p2p-offer', { ...OFFER, to: 'Luke' })).toMatchObject({
      code: 'UNKNOWN_USER',
    });
    expect(await yoda.fail('p2p-offer', { ...OFFER, to: 'Yoda' })).toMatchObject({
      code: 'SELF',
      message: 'You cannot send a file to yourself.',
    });
    expect(await yoda.fail('p2p-offer', { ...OFFER, to: 'vader' })).toMatchObject({
      code: 'USER_OFFLINE',
      message: 'vader is offline',
    });
  });

  it('keeps serving the presenter while an offer is pending', async () => {
    const { yoda, obiwan, pending, offer } = await offered();
    await yoda.ok('msgto', { to: 'obiwan', text: 'sending you a file' });
    expect((await obiwan.push('message')).text).toBe('sending you a file');
    await obiwan.ok('p2p-answer', {
      transferId: offer.transferId,
      accept: true,
      publicKey: 'k',
      reason: '',
    });
    expect((await pending).type).toBe('ok');
  });
});

describe('server P2P limits', () => {
  const h = useTestServer();

  it('caps the offers one presenter may have waiting', async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    const waiting = Array.from({ length: MAX_OFFERS_PER_PRESENTER }, () =>
      yoda.request('p2p-offer', OFFER),
    );
    for (let i = 0; i < MAX_OFFERS_PER_PRESENTER; i++) await obiwan.push('transfer-offer');
    const refused = await yoda.fail('p2p-offer', OFFER);
    expect(refused.code).toBe('BAD_REQUEST');
    expect(h.t.lines.filter((l) => l.includes('started a P2P transfer'))).toHaveLength(
      MAX_OFFERS_PER_PRESENTER,
    );
    h.t.clock.advance(60_000);
    for (const reply of await Promise.all(waiting))
      expect(reply).toMatchObject({ code: 'TRANSFER_TIMEOUT' });
  });
});
