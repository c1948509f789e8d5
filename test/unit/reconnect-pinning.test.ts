/** Reconnecting to a server whose certificate changed gives up at once, naming the reason. */
import { EventEmitter } from 'node:events';
import { expect, it } from 'vitest';
import { ConnectionError } from '../../src/client/connection.js';
import { type LinkState, Reconnector, type ReconnectTarget } from '../../src/client/reconnect.js';
import { ManualClock } from '../../src/util/clock.js';

class ChangedServer extends EventEmitter implements ReconnectTarget {
  closing = false;
  attempts = 0;
  async reconnect(): Promise<void> {
    this.attempts++;
    throw new ConnectionError(
      'WARNING: ... pinned: SHA256 AA ... presented: SHA256 BB',
      'ESERVERCHANGED',
    );
  }
}

it('stops retrying when the server presents a different certificate', async () => {
  const client = new ChangedServer();
  const clock = new ManualClock();
  const states: LinkState[] = [];
  const r = new Reconnector(client, { random: () => 1, clock });
  r.on('state', (s) => states.push(s));
  client.emit('disconnected', { expected: false });
  expect(clock.advance(500)).toBe(1);
  await new Promise((resolve) => setImmediate(resolve));
  expect(client.attempts).toBe(1);
  expect(clock.pending).toBe(0);
  expect(states.at(-1)).toEqual({
    state: 'gave-up',
    reason: 'WARNING: ... pinned: SHA256 AA ... presented: SHA256 BB',
  });
});
