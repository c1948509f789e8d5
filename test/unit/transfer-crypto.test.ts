import { describe, expect, it } from 'vitest';
import type { DatagramSocket } from '../../src/transfer/net/udp-socket.js';
import { newTransferStats, SecureChannel } from '../../src/transfer/wire/channel.js';
import {
  createKeyPair,
  deriveKeys,
  open,
  seal,
  transferTag,
} from '../../src/transfer/wire/crypto.js';
import { decodeHeader, encodeHeader, MessageType } from '../../src/transfer/wire/datagram.js';
import { ReplayWindow } from '../../src/transfer/wire/replay-window.js';

function keysFor(id = 'transfer-1') {
  const s = createKeyPair();
  const r = createKeyPair();
  const sender = deriveKeys(s, r.publicKey, id, 'send');
  const receiver = deriveKeys(r, s.publicKey, id, 'receive');
  if (typeof sender === 'string' || typeof receiver === 'string') throw new Error('derive');
  return { sender, receiver };
}

/** A socket that only records what was sent. */
function fakeSocket(): DatagramSocket & { sent: Buffer[] } {
  const sent: Buffer[] = [];
  return {
    port: 1,
    sent,
    send: (parts) => sent.push(Buffer.concat(parts)),
    onMessage: () => {},
    close: async () => {},
  };
}

describe('transfer crypto', () => {
  it('gives a 32-byte raw public key and matching direction keys on both sides', () => {
    const { sender, receiver } = keysFor();
    expect(Buffer.from(createKeyPair().publicKey, 'base64')).toHaveLength(32);
    expect(sender.out.equals(receiver.in)).toBe(true);
    expect(sender.in.equals(receiver.out)).toBe(true);
    expect(sender.out.equals(sender.in)).toBe(false);
  });

  it('binds keys to the transfer id', () => {
    const s = createKeyPair();
    const r = createKeyPair();
    const a = deriveKeys(s, r.publicKey, 'one', 'send');
    const b = deriveKeys(s, r.publicKey, 'two', 'send');
    expect(typeof a !== 'string' && typeof b !== 'string' && a.out.equals(b.out)).toBe(false);
  });

  it('refuses malformed and low-order peer keys', () => {
    const s = createKeyPair();
    expect(typeof deriveKeys(s, 'AAAA', 'x', 'send')).toBe('string');
    expect(typeof deriveKeys(s, Buffer.alloc(32).toString('base64'), 'x', 'send')).toBe('string');
    expect(
      typeof deriveKeys({ publicKey: s.publicKey, privateKey: 'nope' }, s.publicKey, 'x', 'send'),
    ).toBe('string');
  });

  it('rejects a datagram with any single byte tampered', () => {
    const { sender, receiver } = keysFor();
    const header = encodeHeader({
      type: MessageType.Poll,
      direction: 0,
      tag: transferTag('t'),
      seq: 9,
    });
    const dgram = Buffer.concat(seal(sender.out, header, [Buffer.from([0, 0, 0, 42])]));
    expect(open(receiver.in, dgram)).toEqual(Buffer.from([0, 0, 0, 42]));
    for (let i = 0; i < dgram.length; i++) {
      const bad = Buffer.from(dgram);
      bad[i] = bad[i]! ^ 0x01;
      expect(open(receiver.in, bad)).toBeNull();
    }
    expect(open(receiver.out, dgram)).toBeNull();
    expect(open(receiver.in, dgram.subarray(0, 10))).toBeNull();
  });

  it('drops a replayed datagram in the channel and counts it', () => {
    const { sender, receiver } = keysFor();
    const socket = fakeSocket();
    const tag = transferTag('t');
    const peer = { address: '127.0.0.1', port: 2 };
    const out = new SecureChannel(socket, peer, tag, 0, sender, newTransferStats());
    const stats = newTransferStats();
    const inbound = new SecureChannel(socket, peer, tag, 1, receiver, stats);
    out.send({ type: MessageType.Poll, ts: 1 });
    out.send({ type: MessageType.Poll, ts: 2 });
    const [first, second] = socket.sent as [Buffer, Buffer];
    const h = (d: Buffer) => {
      const r = decodeHeader(d);
      if (!r.ok) throw new Error(r.error);
      return r.value;
    };
    expect(inbound.open(h(second), second)).toMatchObject({ ts: 2 });
    expect(inbound.open(h(first), first)).toMatchObject({ ts: 1 });
    expect(inbound.open(h(first), first)).toBeNull();
    expect(inbound.open(h(second), second)).toBeNull();
    expect(stats.replays).toBe(2);
    const forged = Buffer.from(first);
    forged[forged.length - 1] = forged[forged.length - 1]! ^ 0x80;
    expect(inbound.open(h(forged), forged)).toBeNull();
    expect(stats.authFailures).toBe(1);
  });
});

describe('replay window', () => {
  it('accepts each sequence number once, tolerates reordering, refuses the too old', () => {
    const w = new ReplayWindow(64);
    expect(w.accept(5)).toBe(true);
    expect(w.accept(5)).toBe(false);
    expect(w.accept(3)).toBe(true);
    expect(w.accept(100)).toBe(true);
    expect(w.accept(40)).toBe(true);
    expect(w.accept(36)).toBe(false);
    expect(w.accept(40)).toBe(false);
    expect(w.accept(99)).toBe(true);
    expect(w.accept(1000)).toBe(true);
    expect(w.accept(100)).toBe(false);
  });
});
