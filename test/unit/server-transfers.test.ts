import { describe, expect, it } from 'vitest';
import type { PushEvent } from '../../src/protocol/control.js';
import type { ClientSession } from '../../src/server/context.js';
import type { OnlineUser } from '../../src/server/presence.js';
import type { ServerError } from '../../src/server/server-error.js';
import { MAX_OPEN_PER_PRESENTER, TransferBroker } from '../../src/server/transfers.js';
import { ManualClock } from '../../src/util/clock.js';
import { TimerGroup } from '../../src/util/timer-group.js';

/** A session that records its pushes. */
function fakeSession(id: number, username: string, udpPort: number) {
  const pushes: PushEvent[] = [];
  const user: OnlineUser = { username, address: `10.0.0.${id}`, udpPort, since: 0 };
  const session: ClientSession = {
    id,
    address: user.address,
    user,
    admit: () => {},
    push: (e) => pushes.push(e),
    pushMessage: (e) => pushes.push(e),
    endAfterReply: () => {},
    shutdown: () => {},
  };
  return { session, user, pushes };
}

const OFFER = {
  type: 'p2p-offer' as const,
  to: 'obiwan',
  filename: 'a.bin',
  size: 3,
  sha256: 'cd'.repeat(32),
  publicKey: 'pk-yoda',
};

function setup() {
  const clock = new ManualClock();
  const timers = new TimerGroup(clock);
  let n = 0;
  const broker = new TransferBroker(timers, 1000, { newId: () => `t${++n}` });
  const yoda = fakeSession(1, 'Yoda', 6000);
  const obiwan = fakeSession(2, 'obiwan', 7000);
  const start = () => broker.offer(yoda.session, yoda.user, obiwan.session, obiwan.user, OFFER);
  return { clock, timers, broker, yoda, obiwan, start };
}

const answer = (transferId: string, accept: boolean) => ({
  type: 'p2p-answer' as const,
  transferId,
  accept,
  publicKey: 'pk-obiwan',
  reason: accept ? '' : 'no space',
});

describe('TransferBroker', () => {
  it('pushes the offer with the presenter endpoint and resolves on accept', async () => {
    const { broker, obiwan, start, timers } = setup();
    const reply = start();
    expect(obiwan.pushes).toEqual([
      {
        type: 'transfer-offer',
        transferId: 't1',
        from: 'Yoda',
        filename: 'a.bin',
        size: 3,
        sha256: 'cd'.repeat(32),
        publicKey: 'pk-yoda',
        peer: { address: '10.0.0.1', port: 6000 },
        candidates: [],
        relay: false,
      },
    ]);
    broker.answer(obiwan.session, answer('t1', true));
    await expect(reply).resolves.toEqual({
      transferId: 't1',
      peer: { address: '10.0.0.2', port: 7000 },
      publicKey: 'pk-obiwan',
      candidates: [],
      relay: false,
    });
    expect(timers.size).toBe(0);
    expect(broker.size).toBe(0);
  });

  it('rejects on decline with the reason, and on time-out', async () => {
    const { broker, obiwan, start, clock } = setup();
    const declined = start();
    broker.answer(obiwan.session, answer('t1', false));
    await expect(declined).rejects.toMatchObject({
      code: 'TRANSFER_DECLINED',
      extra: { reason: 'no space' },
    });
    const ignored = start();
    expect(clock.advance(1000)).toBe(1);
    const err = (await ignored.catch((e: ServerError) => e)) as ServerError;
    expect(err.code).toBe('TRANSFER_TIMEOUT');
    expect(obiwan.pushes.at(-1)).toEqual({
      type: 'transfer-cancelled',
      transferId: 't2',
      reason: 'the offer timed out',
    });
  });

  it('only the audience may answer, and only once', async () => {
    const { broker, yoda, obiwan, start } = setup();
    const reply = start();
    expect(() => broker.answer(yoda.session, answer('t1', true))).toThrow(
      expect.objectContaining({ code: 'NO_SUCH_TRANSFER' }),
    );
    expect(() => broker.answer(obiwan.session, answer('nope', true))).toThrow(
      expect.objectContaining({ code: 'NO_SUCH_TRANSFER' }),
    );
    broker.answer(obiwan.session, answer('t1', true));
    await reply;
    expect(() => broker.answer(obiwan.session, answer('t1', true))).toThrow(
      expect.objectContaining({ code: 'NO_SUCH_TRANSFER' }),
    );
  });

  it('settles every offer a leaving session was part of and clears its timers', async () => {
    const { broker, yoda, obiwan, start, timers } = setup();
    const first = start();
    const second = start();
    broker.sessionEnded(obiwan.session);
    await expect(first).rejects.toMatchObject({
      code: 'USER_OFFLINE',
      message: 'obiwan is offline',
    });
    await expect(second).rejects.toMatchObject({ code: 'USER_OFFLINE' });
    const third = start().catch(() => 'presenter gone');
    broker.sessionEnded(yoda.session);
    expect(await third).toBe('presenter gone');
    expect(obiwan.pushes.at(-1)).toEqual({
      type: 'transfer-cancelled',
      transferId: 't3',
      reason: 'Yoda is offline',
    });
    expect(timers.size).toBe(0);
  });
});

describe('TransferBroker, accepted transfers', () => {
  async function accepted(s: ReturnType<typeof setup>, id: string) {
    const reply = s.start();
    s.broker.answer(s.obiwan.session, answer(id, true));
    await reply;
  }

  it('tells the audience at once when the presenter session ends, once', async () => {
    const s = setup();
    await accepted(s, 't1');
    await accepted(s, 't2');
    expect(s.broker.openCount).toBe(2);
    s.obiwan.pushes.length = 0;
    s.broker.sessionEnded(s.yoda.session);
    expect(s.obiwan.pushes).toEqual([
      { type: 'transfer-peer-offline', transferId: 't1', user: 'Yoda' },
      { type: 'transfer-peer-offline', transferId: 't2', user: 'Yoda' },
    ]);
    expect(s.broker.openCount).toBe(0);
    s.broker.sessionEnded(s.yoda.session);
    s.broker.sessionEnded(s.obiwan.session);
    expect(s.obiwan.pushes).toHaveLength(2);
    expect(s.yoda.pushes).toEqual([]);
  });

  it('tells the presenter when the audience session ends', async () => {
    const s = setup();
    await accepted(s, 't1');
    s.broker.sessionEnded(s.obiwan.session);
    expect(s.yoda.pushes).toEqual([
      { type: 'transfer-peer-offline', transferId: 't1', user: 'obiwan' },
    ]);
    expect(s.broker.openCount).toBe(0);
  });

  it('a declined or timed-out offer is not remembered as open', async () => {
    const s = setup();
    const declined = s.start().catch(() => 'declined');
    s.broker.answer(s.obiwan.session, answer('t1', false));
    await declined;
    const ignored = s.start().catch(() => 'timed out');
    expect(s.clock.advance(1000)).toBe(1);
    await ignored;
    expect(s.broker.openCount).toBe(0);
  });

  it(`remembers at most ${MAX_OPEN_PER_PRESENTER} per presenter, forgetting the oldest`, async () => {
    const s = setup();
    for (let i = 1; i <= MAX_OPEN_PER_PRESENTER + 1; i++) await accepted(s, `t${i}`);
    expect(s.broker.openCount).toBe(MAX_OPEN_PER_PRESENTER);
    s.obiwan.pushes.length = 0;
    s.broker.sessionEnded(s.yoda.session);
    const told = s.obiwan.pushes.map((p) => (p as { transferId: string }).transferId);
    expect(told).not.toContain('t1');
    expect(told).toContain(`t${MAX_OPEN_PER_PRESENTER + 1}`);
    expect(told).toHaveLength(MAX_OPEN_PER_PRESENTER);
  });
});
