import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BatchedWriter } from '../../src/server/batched-writer.js';

/** The two members BatchedWriter uses; every write is recorded. */
function fakeSocket() {
  const writes: string[] = [];
  const socket = { writable: true, write: (text: string) => writes.push(text) };
  return { writes, socket: socket as unknown as Socket & { writable: boolean } };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('BatchedWriter', () => {
  it('writes one turn of frames as one socket write, in order, then calls afterWrite', async () => {
    const { writes, socket } = fakeSocket();
    let checks = 0;
    const writer = new BatchedWriter(socket, () => {
      checks += 1;
    });
    writer.write('a\n');
    writer.write('b\n');
    writer.write('c\n');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(['a\nb\nc\n']);
    expect(checks).toBe(1);
    writer.write('d\n');
    await nextTurn();
    expect(writes).toEqual(['a\nb\nc\n', 'd\n']);
  });

  it('flushes at once on demand (before an end) and when a turn queues 256 KiB', async () => {
    const { writes, socket } = fakeSocket();
    const writer = new BatchedWriter(socket, () => {});
    writer.write('bye\n');
    writer.flush();
    expect(writes).toEqual(['bye\n']);
    const big = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 4; i++) writer.write(big);
    expect(writes).toHaveLength(2);
    await nextTurn();
    expect(writes).toHaveLength(2);
  });

  it('drops queued output when the socket is no longer writable', async () => {
    const { writes, socket } = fakeSocket();
    const writer = new BatchedWriter(socket, () => {});
    writer.write('late\n');
    socket.writable = false;
    await nextTurn();
    expect(writes).toEqual([]);
  });
});
