/**
 * Transfer datagrams: a 20-byte clear header (authenticated as AEAD associated data) followed
 * by the AES-256-GCM ciphertext of one message and its 16-byte tag. Pure: no I/O, no timers;
 * decoders return error values for garbage and never throw.
 *
 * Header:
 *   0  u8   magic 0x54 ('T')
 *   1  u8   version (1)
 *   2  u8   message type (1 HELLO, 2 DATA, 3 ACK, 4 POLL, 5 DONE, 6 FIN, 7 ABORT)
 *   3  u8   direction (0 sender → receiver, 1 receiver → sender)
 *   4  8B   transfer tag: first 8 bytes of SHA-256("tessenger-transfer-tag" || transfer id)
 *   12 u64  packet sequence number, big-endian, per direction, never reused (the GCM nonce)
 *
 * Example, the first HELLO of a transfer whose tag is 9f86d081884c7d65:
 *   54 01 01 00 9f 86 d0 81 88 4c 7d 65 00 00 00 00 00 00 00 00 | ciphertext (48) | tag (16)
 */

export const MAGIC = 0x54;
export const VERSION = 1;
export const HEADER_BYTES = 20;
export const TAG_BYTES = 16;
/** Largest UDP payload over IPv4. */
export const MAX_DATAGRAM = 65507;
/** Seq numbers stay exact in a JS number. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

export const MessageType = {
  Hello: 1,
  Data: 2,
  Ack: 3,
  Poll: 4,
  Done: 5,
  Fin: 6,
  Abort: 7,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export const Direction = { ToReceiver: 0, ToSender: 1 } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

export interface Header {
  type: MessageType;
  direction: Direction;
  /** 8 bytes. */
  tag: Buffer;
  seq: number;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

const fail = <T>(error: string): Decoded<T> => ({ ok: false, error });

export function encodeHeader(header: Header): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_BYTES);
  buf[0] = MAGIC;
  buf[1] = VERSION;
  buf[2] = header.type;
  buf[3] = header.direction;
  header.tag.copy(buf, 4, 0, 8);
  buf.writeUInt32BE(Math.floor(header.seq / 2 ** 32), 12);
  buf.writeUInt32BE(header.seq >>> 0, 16);
  return buf;
}

/** Reads the clear header of a whole datagram and checks its size bounds. */
export function decodeHeader(buf: Buffer): Decoded<Header> {
  if (buf.length < HEADER_BYTES + TAG_BYTES) return fail('datagram too short');
  if (buf.length > MAX_DATAGRAM) return fail('datagram too long');
  if (buf[0] !== MAGIC) return fail('bad magic');
  if (buf[1] !== VERSION) return fail(`unsupported version ${buf[1]}`);
  const type = buf[2]!;
  if (type < MessageType.Hello || type > MessageType.Abort) return fail(`unknown type ${type}`);
  const direction = buf[3]!;
  if (direction > 1) return fail(`bad direction ${direction}`);
  const hi = buf.readUInt32BE(12);
  if (hi > 0x1fffff) return fail('sequence number out of range');
  const seq = hi * 2 ** 32 + buf.readUInt32BE(16);
  return {
    ok: true,
    value: {
      type: type as MessageType,
      direction: direction as Direction,
      tag: buf.subarray(4, 12),
      seq,
    },
  };
}
