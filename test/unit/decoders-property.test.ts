/**
 * Property tests of every decoder that reads bytes from the network (fast-check): the control
 * line framer split anywhere, the control frame schemas, the transfer datagram header, the
 * transfer messages and the AEAD opener. Each: never throws, round-trips what the real
 * encoder wrote, and rejects oversize input.
 */
import crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeClientFrame, decodeServerFrame } from '../../src/protocol/control.js';
import { encodeFrame, LineDecoder } from '../../src/protocol/frame.js';
import { open, seal } from '../../src/transfer/wire/crypto.js';
import {
  decodeHeader,
  encodeHeader,
  HEADER_BYTES,
  MAX_DATAGRAM,
  MAX_SEQ,
  TAG_BYTES,
} from '../../src/transfer/wire/datagram.js';
import { decodeMessage, encodeMessage, type Message } from '../../src/transfer/wire/messages.js';

const RUNS = { numRuns: 300 };
const bytes = (max = 300) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));

/** Splits a buffer at the given (sorted, deduplicated) cut points. */
function split(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    out.push(buf.subarray(start, p));
    start = p;
  }
  out.push(buf.subarray(start));
  return out;
}

describe('LineDecoder (control framing)', () => {
  const objects = fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { maxLength: 8 });

  it('round-trips the encoder output however the stream is split', () => {
    fc.assert(
      fc.property(objects, fc.array(fc.nat(), { maxLength: 20 }), (values, cuts) => {
        const stream = Buffer.concat(values.map((v) => encodeFrame(v)));
        const decoder = new LineDecoder();
        const events = split(stream, cuts).flatMap((chunk) => decoder.push(chunk));
        expect(events).toEqual(
          values.map((v) => ({ kind: 'frame', value: JSON.parse(JSON.stringify(v)) })),
        );
      }),
      RUNS,
    );
  });

  it('never throws on arbitrary bytes, split anywhere', () => {
    fc.assert(
      fc.property(fc.array(bytes(), { maxLength: 10 }), (chunks) => {
        const decoder = new LineDecoder(256);
        for (const chunk of chunks) decoder.push(chunk);
      }),
      RUNS,
    );
  });

  it('rejects a line over the cap, in one piece or trickled, and stays broken', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (extra, cuts) => {
          const max = 100;
          const line = Buffer.concat([Buffer.alloc(max + extra, 0x61), Buffer.from('\n{}\n')]);
          const decoder = new LineDecoder(max);
          const events = split(line, cuts).flatMap((chunk) => decoder.push(chunk));
          expect(events).toEqual([
            { kind: 'error', code: 'FRAME_TOO_LARGE', detail: `frame exceeds ${max} bytes` },
          ]);
          expect(decoder.broken).toBe(true);
        },
      ),
      RUNS,
    );
  });
});

describe('control frame schemas', () => {
  it('never throw on any JSON value or JS value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything()), (value) => {
        decodeClientFrame(value);
        decodeServerFrame(value);
      }),
      { numRuns: 1000 },
    );
  });

  it('accept a real request after the wire round trip, and reject a mutated field type', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 50 }),
        fc.string({ maxLength: 500 }),
        (id, to, text) => {
          const frame = { v: 1, id, type: 'msgto', to, text };
          const wire = JSON.parse(encodeFrame(frame).toString('utf8'));
          expect(decodeClientFrame(wire)).toEqual({ ok: true, value: frame });
          const broken = decodeClientFrame({ ...wire, text: 42 });
          expect(broken).toMatchObject({ ok: false, code: 'BAD_REQUEST', id });
        },
      ),
      RUNS,
    );
  });
});

describe('transfer datagram header', () => {
  const header = fc.record({
    type: fc.integer({ min: 1, max: 7 }),
    direction: fc.integer({ min: 0, max: 1 }),
    tag: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((a) => Buffer.from(a)),
    seq: fc.integer({ min: 0, max: MAX_SEQ }),
  });

  it('round-trips', () => {
    fc.assert(
      fc.property(header, bytes(64), (h, rest) => {
        const datagram = Buffer.concat([encodeHeader(h as never), rest, Buffer.alloc(TAG_BYTES)]);
        const decoded = decodeHeader(datagram);
        expect(decoded).toEqual({ ok: true, value: h });
      }),
      RUNS,
    );
  });

  it('never throws on garbage and rejects what is too short or too long', () => {
    fc.assert(
      fc.property(bytes(200), (garbage) => {
        const r = decodeHeader(garbage);
        if (garbage.length < HEADER_BYTES + TAG_BYTES) expect(r.ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
    expect(decodeHeader(Buffer.alloc(MAX_DATAGRAM + 1, 0x54))).toEqual({
      ok: false,
      error: 'datagram too long',
    });
  });
});

describe('transfer messages', () => {
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  const message: fc.Arbitrary<Message> = fc.oneof(
    fc.record({
      type: fc.constant(1 as const),
      size: fc.integer({ min: 0, max: MAX_SEQ }),
      chunkSize: fc.integer({ min: 1, max: 65536 }),
      sha256: fc
        .uint8Array({ minLength: 32, maxLength: 32 })
        .map((a) => Buffer.from(a).toString('hex')),
      ts: u32,
    }),
    fc.record({ type: fc.constant(2 as const), chunk: u32, ts: u32, data: bytes(200) }),
    fc.record({
      type: fc.constant(3 as const),
      cum: u32,
      echoTs: u32,
      ackDelayUs: u32,
      flags: fc.integer({ min: 0, max: 255 }),
      bitmap: bytes(1024),
    }),
    fc.record({ type: fc.constant(4 as const), ts: u32 }),
    fc.record({ type: fc.constant(5 as const), status: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ type: fc.constant(6 as const) }),
    fc.record({
      type: fc.constant(7 as const),
      code: fc.string({ maxLength: 40 }).filter((s) => Buffer.byteLength(s) <= 40),
      reason: fc.string({ maxLength: 200 }).filter((s) => Buffer.byteLength(s) <= 200),
    }),
  );

  it('round-trip through the encoder', () => {
    fc.assert(
      fc.property(message, (msg) => {
        expect(decodeMessage(msg.type, encodeMessage(msg))).toEqual({ ok: true, value: msg });
      }),
      { numRuns: 1000 },
    );
  });

  it('never throw on any type byte and any body; oversize bitmaps and reasons are refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), bytes(1200), (type, body) => {
        decodeMessage(type, body);
      }),
      { numRuns: 3000 },
    );
    const ack = Buffer.alloc(15 + 1025);
    ack.writeUInt16BE(1025, 13);
    expect(decodeMessage(3, ack).ok).toBe(false);
    const abort = Buffer.concat([Buffer.from([0, 201]), Buffer.alloc(201, 0x61)]);
    expect(decodeMessage(7, abort).ok).toBe(false);
  });
});

describe('AEAD open', () => {
  const key = crypto.createSecretKey(crypto.randomBytes(32));
  const header = encodeHeader({ type: 2, direction: 0, tag: Buffer.alloc(8, 7), seq: 42 });

  it('never throws and never accepts garbage or a mutated datagram', () => {
    const sealed = Buffer.concat(seal(key, header, [Buffer.from('hello chunk')]));
    expect(open(key, sealed)?.toString()).toBe('hello chunk');
    fc.assert(
      fc.property(bytes(300), fc.nat(), fc.integer({ min: 1, max: 255 }), (garbage, at, flip) => {
        expect(open(key, garbage)).toBeNull();
        const mutated = Buffer.from(sealed);
        mutated[at % mutated.length]! ^= flip;
        expect(open(key, mutated)).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });
});
