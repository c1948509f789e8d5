/**
 * Path packets: the small authenticated UDP messages that find a path between two peers
 * before a transfer starts and keep it open while it runs. They share the engine's UDP socket
 * and the server's UDP port with transfer datagrams; the first byte tells them apart (0x50 'P'
 * here, 0x54 'T' for transfer datagrams). Pure: no I/O, no timers; decoders return error
 * values for garbage and never throw.
 *
 * Every packet is a 24-byte header, a body, and a 16-byte HMAC-SHA256 (truncated) over both:
 *   0  u8   magic 0x50 ('P')
 *   1  u8   version (1)
 *   2  u8   type (1 BIND, 2 BIND_OK, 3 PROBE, 4 PROBE_OK, 5 ALLOC, 6 ALLOC_OK)
 *   3  u8   flags (bit 0 NOMINATE on PROBE/PROBE_OK, bit 1 KEEPALIVE on PROBE)
 *   4  8B   key id: the session id (BIND, ALLOC and their answers) or the transfer tag (PROBE)
 *   12 12B  transaction id, random per request and echoed by its answer
 * The HMAC key is the session's UDP key (given at login over the control channel) for BIND and
 * ALLOC, and a key derived from the transfer's X25519 secret for PROBE, so only the two peers
 * of one transfer can probe each other and only a signed-in session can bind or allocate.
 *
 * Requests are padded to REQUEST_BYTES so that no answer is ever larger than its request (no
 * amplification, whoever spoofs the source address).
 *
 * Bodies:
 *   BIND      zero padding (24 B)                         → 64 B
 *   BIND_OK   u8 family (4|6), u16 port, 16B address      → 59 B (the address the server saw)
 *   PROBE     u8 role (0 presenter, 1 audience), padding  → 64 B
 *   PROBE_OK  u8 role, u8 family, u16 port, 16B address   → 60 B (the address the peer saw)
 *   ALLOC     8B transfer tag, u8 role, padding            → 64 B
 *   ALLOC_OK  8B transfer tag                              → 48 B
 *
 * Example, a BIND of session 0011223344556677, transaction 000102030405060708090a0b:
 *   50 01 01 00 00 11 22 33 44 55 66 77 00 01 02 03 04 05 06 07 08 09 0a 0b | 00 × 24 | mac (16)
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { plainAddress } from '../net/udp-socket.js';
import type { Decoded } from '../wire/datagram.js';

export const PATH_MAGIC = 0x50;
export const PATH_VERSION = 1;
export const PATH_HEADER_BYTES = 24;
export const MAC_BYTES = 16;
/** Every request's size on the wire; answers are smaller. */
export const REQUEST_BYTES = 64;

export const PathType = {
  Bind: 1,
  BindOk: 2,
  Probe: 3,
  ProbeOk: 4,
  Alloc: 5,
  AllocOk: 6,
} as const;
export type PathType = (typeof PathType)[keyof typeof PathType];

export const PathFlag = { Nominate: 1, KeepAlive: 2 } as const;

export type Role = 0 | 1;
export const Role = { Presenter: 0, Audience: 1 } as const;

export interface Mapped {
  address: string;
  port: number;
}

export type PathPacket =
  | { type: typeof PathType.Bind; keyId: Buffer; txn: Buffer }
  | { type: typeof PathType.BindOk; keyId: Buffer; txn: Buffer; mapped: Mapped }
  | { type: typeof PathType.Probe; keyId: Buffer; txn: Buffer; flags: number; role: Role }
  | {
      type: typeof PathType.ProbeOk;
      keyId: Buffer;
      txn: Buffer;
      flags: number;
      role: Role;
      mapped: Mapped;
    }
  | { type: typeof PathType.Alloc; keyId: Buffer; txn: Buffer; tag: Buffer; role: Role }
  | { type: typeof PathType.AllocOk; keyId: Buffer; txn: Buffer; tag: Buffer };

/** The transfer datagrams' decode result: a value, or an error string for garbage. */
export type DecodedPath<T> = Decoded<T>;

const BODY_BYTES: Record<PathType, number> = {
  [PathType.Bind]: REQUEST_BYTES - PATH_HEADER_BYTES - MAC_BYTES,
  [PathType.BindOk]: 19,
  [PathType.Probe]: REQUEST_BYTES - PATH_HEADER_BYTES - MAC_BYTES,
  [PathType.ProbeOk]: 20,
  [PathType.Alloc]: REQUEST_BYTES - PATH_HEADER_BYTES - MAC_BYTES,
  [PathType.AllocOk]: 8,
};

/** Whether a datagram is a path packet rather than a transfer datagram (first byte only). */
export function isPathPacket(datagram: Buffer): boolean {
  return datagram.length > 0 && datagram[0] === PATH_MAGIC;
}

/** A fresh random transaction id. */
export function newTxn(): Buffer {
  return crypto.randomBytes(12);
}

function mac(key: Buffer, bytes: Buffer): Buffer {
  return crypto.createHmac('sha256', key).update(bytes).digest().subarray(0, MAC_BYTES);
}

function writeMapped(body: Buffer, at: number, mapped: Mapped): void {
  const address = plainAddress(mapped.address);
  const family = net.isIPv4(address) ? 4 : 6;
  body[at] = family;
  body.writeUInt16BE(mapped.port, at + 1);
  const raw = family === 4 ? ipv4Bytes(address) : ipv6Bytes(address);
  raw.copy(body, at + 3);
}

function readMapped(body: Buffer, at: number): Mapped | null {
  const family = body[at];
  const port = body.readUInt16BE(at + 1);
  const raw = body.subarray(at + 3, at + 19);
  if (family === 4) return { address: [...raw.subarray(0, 4)].join('.'), port };
  if (family === 6) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(raw.readUInt16BE(i).toString(16));
    // Normalised through node:net so both ends spell it alike.
    const address = new net.SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address;
    return { address, port };
  }
  return null;
}

function ipv4Bytes(address: string): Buffer {
  const out = Buffer.alloc(16);
  address.split('.').forEach((part, i) => {
    out[i] = Number(part);
  });
  return out;
}

function ipv6Bytes(address: string): Buffer {
  const out = Buffer.alloc(16);
  const [head = '', tail = ''] = address.split('%')[0]!.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t]
    : h;
  groups.forEach((g, i) => {
    out.writeUInt16BE(Number.parseInt(g, 16) & 0xffff, i * 2);
  });
  return out;
}

/** Encodes and signs a path packet with `key`. */
export function encodePath(packet: PathPacket, key: Buffer): Buffer {
  const bodyBytes = BODY_BYTES[packet.type];
  const buf = Buffer.alloc(PATH_HEADER_BYTES + bodyBytes + MAC_BYTES);
  buf[0] = PATH_MAGIC;
  buf[1] = PATH_VERSION;
  buf[2] = packet.type;
  buf[3] = 'flags' in packet ? packet.flags : 0;
  packet.keyId.copy(buf, 4, 0, 8);
  packet.txn.copy(buf, 12, 0, 12);
  const body = buf.subarray(PATH_HEADER_BYTES, PATH_HEADER_BYTES + bodyBytes);
  switch (packet.type) {
    case PathType.BindOk:
      writeMapped(body, 0, packet.mapped);
      break;
    case PathType.Probe:
      body[0] = packet.role;
      break;
    case PathType.ProbeOk:
      body[0] = packet.role;
      writeMapped(body, 1, packet.mapped);
      break;
    case PathType.Alloc:
      packet.tag.copy(body, 0, 0, 8);
      body[8] = packet.role;
      break;
    case PathType.AllocOk:
      packet.tag.copy(body, 0, 0, 8);
      break;
  }
  mac(key, buf.subarray(0, buf.length - MAC_BYTES)).copy(buf, buf.length - MAC_BYTES);
  return buf;
}

/** The clear header fields needed to find the key, before the MAC is checked. */
export function peekPath(datagram: Buffer): DecodedPath<{ type: PathType; keyId: Buffer }> {
  if (datagram.length < PATH_HEADER_BYTES + MAC_BYTES) return { ok: false, error: 'too short' };
  if (datagram[0] !== PATH_MAGIC) return { ok: false, error: 'bad magic' };
  if (datagram[1] !== PATH_VERSION)
    return { ok: false, error: `unsupported version ${datagram[1]}` };
  const type = datagram[2]!;
  if (type < PathType.Bind || type > PathType.AllocOk)
    return { ok: false, error: `unknown type ${type}` };
  const bodyBytes = BODY_BYTES[type as PathType];
  if (datagram.length !== PATH_HEADER_BYTES + bodyBytes + MAC_BYTES) {
    return { ok: false, error: 'wrong length for its type' };
  }
  return { ok: true, value: { type: type as PathType, keyId: datagram.subarray(4, 12) } };
}

/** Checks the MAC with `key` and decodes the body. Never throws. */
export function decodePath(datagram: Buffer, key: Buffer): DecodedPath<PathPacket> {
  const peek = peekPath(datagram);
  if (!peek.ok) return peek;
  const expected = mac(key, datagram.subarray(0, datagram.length - MAC_BYTES));
  if (!crypto.timingSafeEqual(expected, datagram.subarray(datagram.length - MAC_BYTES))) {
    return { ok: false, error: 'bad mac' };
  }
  const { type, keyId } = peek.value;
  const flags = datagram[3]!;
  const txn = datagram.subarray(12, 24);
  const body = datagram.subarray(PATH_HEADER_BYTES, datagram.length - MAC_BYTES);
  const role = (r: number): Role | null => (r === 0 || r === 1 ? r : null);
  switch (type) {
    case PathType.Bind:
      return { ok: true, value: { type, keyId, txn } };
    case PathType.BindOk: {
      const mapped = readMapped(body, 0);
      return mapped ? { ok: true, value: { type, keyId, txn, mapped } } : bad('bad address');
    }
    case PathType.Probe: {
      const r = role(body[0]!);
      return r === null
        ? bad('bad role')
        : { ok: true, value: { type, keyId, txn, flags, role: r } };
    }
    case PathType.ProbeOk: {
      const r = role(body[0]!);
      const mapped = readMapped(body, 1);
      if (r === null || !mapped) return bad('bad body');
      return { ok: true, value: { type, keyId, txn, flags, role: r, mapped } };
    }
    case PathType.Alloc: {
      const r = role(body[8]!);
      if (r === null) return bad('bad role');
      return { ok: true, value: { type, keyId, txn, tag: body.subarray(0, 8), role: r } };
    }
    case PathType.AllocOk:
      return { ok: true, value: { type, keyId, txn, tag: body.subarray(0, 8) } };
  }
  return bad('unknown type');
}

const bad = <T>(error: string): DecodedPath<T> => ({ ok: false, error });
