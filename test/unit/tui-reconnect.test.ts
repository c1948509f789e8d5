import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ConnectionError, ReplyError } from '../../src/client/connection.js';
import {
  backoffDelay,
  type LinkState,
  Reconnector,
  type ReconnectTarget,
} from '../../src/client/reconnect.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ManualClock } from '../../src/util/clock.js';

class FakeClient extends EventEmitter implements ReconnectTarget {
  closing = false;
  outcomes: Array<Error | null> = [];
  attempts = 0;
  async reconnect(): Promise<void> {
    this.attempts++;
    const outcome = this.outcomes.shift() ?? null;
    if (outcome) throw outcome;
  }
}

const flush = () => new Promise((r) => setImmediate(r));
const refused = () => new ConnectionError('refused', 'ECONNREFUSED');

function setup() {
  const client = new FakeClient();
  const clock = new ManualClock();
  const states: LinkState[] = [];
  const r = new Reconnector(client, { clock, random: () => 1 });
  r.on('state', (s) => states.push(s));
  /** The delay the reconnector announced last. */
  const waited = (): number => {
    const last = states.at(-1);
    return last?.state === 'waiting' ? last.delayMs : -1;
  };
  return { client, clock, states, r, waited };
}

describe('backoffDelay', () => {
  const policy = { baseMs: 500, maxMs: 15_000, jitter: 0.5 };
  it('doubles up to the cap', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, policy, () => 1));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
  });
  it('takes up to the jitter share off', () => {
    expect(backoffDelay(2, policy, () => 0)).toBe(1000);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(1500);
  });
});

describe('Reconnector', () => {
  it('ignores an expected disconnect (logout)', () => {
    const { client, clock, states } = setup();
    client.emit('disconnected', { expected: true });
    expect(clock.pending).toBe(0);
    expect(states).toEqual([]);
  });

  it('retries with growing delays until signed in, then reports online', async () => {
    const { client, clock, states, waited } = setup();
    client.outcomes = [refused(), refused(), null];
    client.emit('disconnected', { expected: false });
    const delays: number[] = [];
    while (clock.pending > 0) {
      const delay = waited();
      delays.push(delay);
      // Not a millisecond early.
      expect(clock.advance(delay - 1)).toBe(0);
      expect(clock.advance(1)).toBe(1);
      await flush();
    }
    expect(delays).toEqual([500, 1000, 2000]);
    expect(clock.now()).toBe(3500);
    expect(client.attempts).toBe(3);
    expect(states.at(-1)).toEqual({ state: 'online' });
    expect(states.filter((s) => s.state === 'waiting')).toHaveLength(3);
  });

  it('waits at least as long as a lock-out says', async () => {
    const { client, clock, waited } = setup();
    client.outcomes = [new ReplyError(ErrorCode.AccountLocked, 'blocked', 7000)];
    client.emit('disconnected', { expected: false });
    clock.advance(500);
    await flush();
    expect(waited()).toBe(7000);
    expect(clock.advance(6999)).toBe(0);
    expect(clock.advance(1)).toBe(1);
    await flush();
    expect(client.attempts).toBe(2);
  });

  it('gives up when the credentials are refused', async () => {
    const { client, clock, states } = setup();
    client.outcomes = [
      new ReplyError(ErrorCode.InvalidPassword, 'Invalid Password. Please try again'),
    ];
    client.emit('disconnected', { expected: false });
    clock.advance(500);
    await flush();
    expect(clock.pending).toBe(0);
    expect(states.at(-1)).toEqual({
      state: 'gave-up',
      reason: 'Invalid Password. Please try again',
    });
  });

  it('tries again at once on retryNow after a refusal', async () => {
    const { client, clock, states, r } = setup();
    client.outcomes = [
      new ReplyError(ErrorCode.InvalidPassword, 'Invalid Password. Please try again'),
    ];
    client.emit('disconnected', { expected: false });
    clock.advance(500);
    await flush();
    expect(states.at(-1)?.state).toBe('gave-up');
    r.retryNow();
    await flush();
    expect(client.attempts).toBe(2);
    expect(states.at(-1)).toEqual({ state: 'online' });
  });

  it('retryNow skips the wait; stop clears the timer and stops listening', async () => {
    const { client, clock, r } = setup();
    client.emit('disconnected', { expected: false });
    expect(r.pending).toBe(true);
    r.retryNow();
    await flush();
    expect(client.attempts).toBe(1);
    client.outcomes = [refused()];
    client.emit('disconnected', { expected: false });
    r.stop();
    expect(r.pending).toBe(false);
    expect(clock.pending).toBe(0);
    client.emit('disconnected', { expected: false });
    expect(clock.pending).toBe(0);
  });
});
