/**
 * A real UDP socket for server UDP tests: sends datagrams and queues what arrives, so a test
 * awaits the next datagram instead of sleeping. Also builds the path packets a client sends.
 */
import dgram from 'node:dgram';
import type { UdpGrant } from '../../src/protocol/control.js';
import { encodePath, newTxn, PathType, type Role } from '../../src/transfer/path/packet.js';
import { transferTag } from '../../src/transfer/wire/crypto.js';
import { encodeHeader, MessageType } from '../../src/transfer/wire/datagram.js';
import { type TestServer, USERS } from './server-fixture.js';

export interface Received {
  data: Buffer;
  address: string;
  port: number;
}

export class UdpPeer {
  private readonly queue: Received[] = [];
  private waiter: ((r: Received) => void) | null = null;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly port: number,
  ) {
    socket.on('message', (data, rinfo) => {
      const r = { data, address: rinfo.address, port: rinfo.port };
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w(r);
      } else this.queue.push(r);
    });
  }

  static async open(host = '127.0.0.1'): Promise<UdpPeer> {
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve) => socket.bind(0, host, resolve));
    return new UdpPeer(socket, socket.address().port);
  }

  /** Sends and resolves once the datagram has left the socket. */
  send(data: Buffer, port: number, host = '127.0.0.1'): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(data, port, host, (err) => (err ? reject(err) : resolve())),
    );
  }

  /** The next datagram that arrives (or has arrived). */
  next(): Promise<Received> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Datagrams received and not yet taken by next(). */
  get pending(): number {
    return this.queue.length;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** The grant's session id and key as bytes. */
export function grantKeys(grant: UdpGrant): { id: Buffer; key: Buffer } {
  return { id: Buffer.from(grant.session, 'hex'), key: Buffer.from(grant.key, 'base64') };
}

export function bindPacket(grant: UdpGrant, txn = newTxn()): Buffer {
  const { id, key } = grantKeys(grant);
  return encodePath({ type: PathType.Bind, keyId: id, txn }, key);
}

export function allocPacket(grant: UdpGrant, tag: Buffer, role: Role, txn = newTxn()): Buffer {
  const { id, key } = grantKeys(grant);
  return encodePath({ type: PathType.Alloc, keyId: id, txn, tag, role }, key);
}

/** A transfer datagram as the relay sees it: the engine's clear header, then opaque bytes. */
export function transferDatagram(tag: Buffer, direction: 0 | 1, seq: number, body = 64): Buffer {
  const header = encodeHeader({ type: MessageType.Data, direction, tag, seq });
  return Buffer.concat([header, Buffer.alloc(body, seq & 0xff)]);
}

/** A file offer from Yoda to obiwan. */
export const OFFER = {
  to: 'obiwan',
  filename: 'clip.bin',
  size: 10,
  sha256: 'ab'.repeat(32),
  publicKey: 'k',
};

/** Logs `username` in over TCP and returns the client and its UDP grant. */
export async function signIn(t: TestServer, username: string) {
  const client = await t.connect();
  const reply = await client.ok('login', { username, password: USERS[username], udpPort: 6000 });
  return { client, grant: reply.udp as UdpGrant };
}

/** Yoda offers obiwan a file and obiwan accepts; both replies said whether the server relays. */
export async function acceptedTransfer(t: TestServer) {
  const yoda = await signIn(t, 'Yoda');
  const obiwan = await signIn(t, 'obiwan');
  const pending = yoda.client.request('p2p-offer', OFFER);
  const offer = await obiwan.client.push('transfer-offer');
  const transferId = offer.transferId;
  await obiwan.client.ok('p2p-answer', { transferId, accept: true, publicKey: 'k2', reason: '' });
  const reply = await pending;
  const relay = { offer: offer.relay, reply: reply.type === 'ok' && reply.data.relay };
  return { yoda, obiwan, transferId, tag: transferTag(transferId), relay };
}
