/**
 * The plaintext messages inside transfer datagrams (what AES-GCM encrypts). Pure codecs that
 * never throw on input. Integers are big-endian; sizes use two u32 halves (< 2^53).
 *
 *   HELLO s→r  size u64, chunkSize u32, sha256 32B, ts u32               (48 bytes)
 *   DATA  s→r  chunk u32, ts u32, bytes…                                 (8 + chunk)
 *   ACK   r→s  cum u32, echoTs u32, ackDelayUs u32, flags u8, bitmapLen u16, bitmap
 *              bit i of the bitmap (LSB first) = chunk cum + 1 + i received
 *   POLL  s→r  ts u32            — "are you done?" once every chunk is acknowledged
 *   DONE  r→s  status u8         — 0 verified and saved, 1 SHA-256 mismatch
 *   FIN   s→r  (empty)           — sender got DONE; receiver may forget the transfer
 *   ABORT both codeLen u8, code, reasonLen u8, reason (UTF-8, ≤ 200 bytes)
 *
 * Example ACK (cum 5, echo 1000 µs, delay 250 µs, chunks 7 and 8 received beyond):
 *   00 00 00 05  00 00 03 e8  00 00 00 fa  00  00 01  06
 */
import { MessageType } from './datagram.js';

/** A bitmap of 8192 chunks (1 KiB) keeps an ACK under a 1200-byte path MTU. */
export const MAX_BITMAP_BYTES = 1024;
export const MAX_REASON_BYTES = 200;
export const DATA_PREFIX_BYTES = 8;
export const AckFlag = { Complete: 1, Verifying: 2 } as const;

export type Message =
  | { type: typeof MessageType.Hello; size: number; chunkSize: number; sha256: string; ts: number }
  | { type: typeof MessageType.Data; chunk: number; ts: number; data: Buffer }
  | {
      type: typeof MessageType.Ack;
      cum: number;
      echoTs: number;
      ackDelayUs: number;
      flags: number;
      bitmap: Buffer;
    }
  | { type: typeof MessageType.Poll; ts: number }
  | { type: typeof MessageType.Done; status: number }
  | { type: typeof MessageType.Fin }
  | { type: typeof MessageType.Abort; code: string; reason: string };

type Result = { ok: true; value: Message } | { ok: false; error: string };

const bad = (error: string): Result => ({ ok: false, error });

/** Cuts a UTF-8 string to at most max bytes without splitting a character. */
export function clipUtf8(text: string, max: number): Buffer {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= max) return buf;
  let end = max;
  // Back off continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end);
}

/** The 8-byte prefix of a DATA message; the chunk bytes follow without a copy. */
export function encodeDataPrefix(chunk: number, ts: number): Buffer {
  const buf = Buffer.allocUnsafe(DATA_PREFIX_BYTES);
  buf.writeUInt32BE(chunk >>> 0, 0);
  buf.writeUInt32BE(ts >>> 0, 4);
  return buf;
}

export function encodeMessage(msg: Message): Buffer {
  switch (msg.type) {
    case MessageType.Hello: {
      const buf = Buffer.alloc(48);
      buf.writeUInt32BE(Math.floor(msg.size / 2 ** 32), 0);
      buf.writeUInt32BE(msg.size >>> 0, 4);
      buf.writeUInt32BE(msg.chunkSize >>> 0, 8);
      Buffer.from(msg.sha256, 'hex').copy(buf, 12, 0, 32);
      buf.writeUInt32BE(msg.ts >>> 0, 44);
      return buf;
    }
    case MessageType.Data:
      return Buffer.concat([encodeDataPrefix(msg.chunk, msg.ts), msg.data]);
    case MessageType.Ack: {
      const bitmap = msg.bitmap.subarray(0, MAX_BITMAP_BYTES);
      const buf = Buffer.alloc(15 + bitmap.length);
      buf.writeUInt32BE(msg.cum >>> 0, 0);
      buf.writeUInt32BE(msg.echoTs >>> 0, 4);
      buf.writeUInt32BE(Math.min(msg.ackDelayUs, 0xffffffff) >>> 0, 8);
      buf[12] = msg.flags & 0xff;
      buf.writeUInt16BE(bitmap.length, 13);
      bitmap.copy(buf, 15);
      return buf;
    }
    case MessageType.Poll: {
      const buf = Buffer.alloc(4);
      buf.writeUInt32BE(msg.ts >>> 0, 0);
      return buf;
    }
    case MessageType.Done:
      return Buffer.from([msg.status & 0xff]);
    case MessageType.Fin:
      return Buffer.alloc(0);
    case MessageType.Abort: {
      const code = clipUtf8(msg.code, 40);
      const reason = clipUtf8(msg.reason, MAX_REASON_BYTES);
      return Buffer.concat([
        Buffer.from([code.length]),
        code,
        Buffer.from([reason.length]),
        reason,
      ]);
    }
  }
}

export function decodeMessage(type: number, buf: Buffer): Result {
  switch (type) {
    case MessageType.Hello: {
      if (buf.length !== 48) return bad('HELLO must be 48 bytes');
      const hi = buf.readUInt32BE(0);
      if (hi > 0x1fffff) return bad('HELLO size out of range');
      const chunkSize = buf.readUInt32BE(8);
      if (chunkSize < 1 || chunkSize > 65536) return bad('HELLO chunk size out of range');
      return {
        ok: true,
        value: {
          type,
          size: hi * 2 ** 32 + buf.readUInt32BE(4),
          chunkSize,
          sha256: buf.subarray(12, 44).toString('hex'),
          ts: buf.readUInt32BE(44),
        },
      };
    }
    case MessageType.Data:
      if (buf.length < DATA_PREFIX_BYTES) return bad('DATA too short');
      return {
        ok: true,
        value: { type, chunk: buf.readUInt32BE(0), ts: buf.readUInt32BE(4), data: buf.subarray(8) },
      };
    case MessageType.Ack: {
      if (buf.length < 15) return bad('ACK too short');
      const len = buf.readUInt16BE(13);
      if (len > MAX_BITMAP_BYTES || buf.length !== 15 + len) return bad('ACK bitmap length');
      return {
        ok: true,
        value: {
          type,
          cum: buf.readUInt32BE(0),
          echoTs: buf.readUInt32BE(4),
          ackDelayUs: buf.readUInt32BE(8),
          flags: buf[12]!,
          bitmap: buf.subarray(15),
        },
      };
    }
    case MessageType.Poll:
      if (buf.length !== 4) return bad('POLL must be 4 bytes');
      return { ok: true, value: { type, ts: buf.readUInt32BE(0) } };
    case MessageType.Done:
      if (buf.length !== 1) return bad('DONE must be 1 byte');
      return { ok: true, value: { type, status: buf[0]! } };
    case MessageType.Fin:
      if (buf.length !== 0) return bad('FIN must be empty');
      return { ok: true, value: { type } };
    case MessageType.Abort: {
      const codeLen = buf[0];
      if (codeLen === undefined || buf.length < 2 + codeLen) return bad('ABORT too short');
      const reasonLen = buf[1 + codeLen]!;
      if (buf.length !== 2 + codeLen + reasonLen || reasonLen > MAX_REASON_BYTES) {
        return bad('ABORT length');
      }
      return {
        ok: true,
        value: {
          type,
          code: buf.subarray(1, 1 + codeLen).toString('utf8'),
          reason: buf.subarray(2 + codeLen).toString('utf8'),
        },
      };
    }
    default:
      return bad(`unknown type ${type}`);
  }
}
