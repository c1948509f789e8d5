import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ConnectionError, ReplyError } from '../../src/client/connection.js';
import {
  backoffDelay,
  type LinkState,
  Reconnector,
  type ReconnectTarget,
  type TimerApi,
} from '../../src/client/reconnect.js';
import { ErrorCode } from '../../src/protocol/errors.js';

/** Timers a test fires by hand. */
class HandTimers implements TimerApi {
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  private next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    this.pending.set(this.next, { fn, ms });
    return this.next++;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  fireAll(): number[] {
    const delays: number[] = [];
    for (const [id, t] of [...this.pending]) {
      this.pending.delete(id);
      delays.push(t.ms);
      t.fn();
    }
    return delays;
  }
}

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
  const timers = new HandTimers();
  const states: LinkState[] = [];
  const r = new Reconnector(client, { timers, random: () => 1 });
  r.on('state', (s) => states.push(s));
  return { client, timers, states, r };
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
    const { client, timers, states } = setup();
    client.emit('disconnected', { expected: true });
    expect(timers.pending.size).toBe(0);
    expect(states).toEqual([]);
  });

  it('retries with growing delays until signed in, then reports online', async () => {
    const { client, timers, states } = setup();
    client.outcomes = [refused(), refused(), null];
    client.emit('disconnected', { expected: false });
    const delays: number[] = [];
    while (timers.pending.size > 0) {
      delays.push(...timers.fireAll());
      await flush();
    }
    expect(delays).toEqual([500, 1000, 2000]);
    expect(client.attempts).toBe(3);
    expect(states.at(-1)).toEqual({ state: 'online' });
    expect(states.filter((s) => s.state === 'waiting')).toHaveLength(3);
  });

  it('waits at least as long as a lock-out says', async () => {
    const { client, timers } = setup();
    client.outcomes = [new ReplyError(ErrorCode.AccountLocked, 'blocked', 7000)];
    client.emit('disconnected', { expected: false });
    timers.fireAll();
    await flush();
    expect([...timers.pending.values()][0]!.ms).toBe(7000);
  });

  it('gives up when the credentials are refused', async () => {
    const { client, timers, states } = setup();
    client.outcomes = [
      new ReplyError(ErrorCode.InvalidPassword, 'Invalid Password. Please try again'),
    ];
    client.emit('disconnected', { expected: false });
    timers.fireAll();
    await flush();
    expect(timers.pending.size).toBe(0);
    expect(states.at(-1)).toEqual({
      state: 'gave-up',
      reason: 'Invalid Password. Please try again',
    });
  });

  it('tries again at once on retryNow after a refusal', async () => {
    const { client, timers, states, r } = setup();
    client.outcomes = [
      new ReplyError(ErrorCode.InvalidPassword, 'Invalid Password. Please try again'),
    ];
    client.emit('disconnected', { expected: false });
    timers.fireAll();
    await flush();
    expect(states.at(-1)?.state).toBe('gave-up');
    r.retryNow();
    await flush();
    expect(client.attempts).toBe(2);
    expect(states.at(-1)).toEqual({ state: 'online' });
  });

  it('retryNow skips the wait; stop clears the timer and stops listening', async () => {
    const { client, timers, r } = setup();
    client.emit('disconnected', { expected: false });
    expect(r.pending).toBe(true);
    r.retryNow();
    await flush();
    expect(client.attempts).toBe(1);
    client.outcomes = [refused()];
    client.emit('disconnected', { expected: false });
    r.stop();
    expect(r.pending).toBe(false);
    expect(timers.pending.size).toBe(0);
    client.emit('disconnected', { expected: false });
    expect(timers.pending.size).toBe(0);
  });
});
