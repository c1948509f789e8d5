import { describe, expect, it } from 'vitest';
import { decodeClientFrame, decodeServerFrame } from '../../src/protocol/control.js';
import { encodeFrame, LineDecoder } from '../../src/protocol/frame.js';

describe('LineDecoder', () => {
  const frame = { v: 1, id: 3, type: 'msgto', to: 'obiwan', text: 'a\nb "quoted" ; 日本' };

  it('round-trips the encoder output, newlines inside strings included', () => {
    const bytes = encodeFrame(frame);
    expect(bytes.at(-1)).toBe(0x0a);
    expect(bytes.indexOf(0x0a)).toBe(bytes.length - 1);
    expect(new LineDecoder().push(bytes)).toEqual([{ kind: 'frame', value: frame }]);
  });

  it('reassembles a frame split at every byte, multibyte characters included', () => {
    const bytes = Buffer.concat([encodeFrame(frame), encodeFrame({ v: 1, id: 4, type: 'ping' })]);
    const decoder = new LineDecoder();
    const events = [];
    for (let i = 0; i < bytes.length; i++) events.push(...decoder.push(bytes.subarray(i, i + 1)));
    expect(events.map((e) => e.kind === 'frame' && e.value)).toEqual([
      frame,
      { v: 1, id: 4, type: 'ping' },
    ]);
  });

  it('handles many frames in one chunk and CRLF', () => {
    const events = new LineDecoder().push(Buffer.from('{"a":1}\r\n{"b":2}\n{"c"'));
    expect(events).toEqual([
      { kind: 'frame', value: { a: 1 } },
      { kind: 'frame', value: { b: 2 } },
    ]);
  });

  it('reports garbage as an error value and keeps going', () => {
    const events = new LineDecoder().push(Buffer.from('not json\n\n\xff\xfe\n{"ok":true}\n'));
    expect(events.map((e) => (e.kind === 'error' ? e.code : 'frame'))).toEqual([
      'BAD_JSON',
      'BAD_JSON',
      'BAD_JSON',
      'frame',
    ]);
  });

  it('stops at a line longer than the cap, even without a newline', () => {
    const decoder = new LineDecoder(16);
    expect(decoder.push(Buffer.alloc(10, 0x61))).toEqual([]);
    const events = decoder.push(Buffer.alloc(10, 0x61));
    expect(events).toEqual([
      { kind: 'error', code: 'FRAME_TOO_LARGE', detail: 'frame exceeds 16 bytes' },
    ]);
    expect(decoder.broken).toBe(true);
    expect(decoder.push(Buffer.from('{}\n'))).toEqual([]);
  });

  it('accepts a line of exactly the cap', () => {
    const decoder = new LineDecoder(8);
    const events = decoder.push(Buffer.from('"123456"\n'));
    expect(events).toEqual([{ kind: 'frame', value: '123456' }]);
  });
});

describe('decodeClientFrame', () => {
  it('accepts every well-formed request', () => {
    const ok = [
      { type: 'login', username: 'Yoda', password: 'x', udpPort: 6000 },
      { type: 'msgto', to: 'a', text: 'b' },
      { type: 'activeuser' },
      { type: 'creategroup', group: 'g', members: ['a'] },
      { type: 'joingroup', group: 'g' },
      { type: 'groupmsg', group: 'g', text: 't' },
      { type: 'logout' },
      { type: 'ping' },
      { type: 'p2p-offer', to: 'a', filename: 'f', size: 0, sha256: 'h', publicKey: 'k' },
      { type: 'p2p-answer', transferId: 't', accept: true, publicKey: 'k', reason: '' },
    ];
    for (const req of ok) expect(decodeClientFrame({ v: 1, id: 1, ...req }).ok).toBe(true);
  });

  it.each([
    [null, 'BAD_FRAME', undefined],
    [[1, 2], 'BAD_FRAME', undefined],
    ['str', 'BAD_FRAME', undefined],
    [{ v: 1, type: 'ping' }, 'BAD_FRAME', undefined],
    [{ v: 1, id: -1, type: 'ping' }, 'BAD_FRAME', undefined],
    [{ v: 2, id: 5, type: 'ping' }, 'UNSUPPORTED_VERSION', 5],
    [{ v: 1, id: 5, type: 'nope' }, 'UNKNOWN_TYPE', 5],
    [{ v: 1, id: 5, type: '__proto__' }, 'UNKNOWN_TYPE', 5],
    [{ v: 1, id: 5, type: 'msgto', to: 'a' }, 'BAD_REQUEST', 5],
    [{ v: 1, id: 5, type: 'msgto', to: 1, text: 'x' }, 'BAD_REQUEST', 5],
    [
      { v: 1, id: 5, type: 'login', username: 'a', password: 'b', udpPort: 70000 },
      'BAD_REQUEST',
      5,
    ],
    [{ v: 1, id: 5, type: 'creategroup', group: 'g', members: [1] }, 'BAD_REQUEST', 5],
    [{ v: 1, id: 5, type: 'msgto', to: 'a', text: 'x'.repeat(20000) }, 'BAD_REQUEST', 5],
  ])('rejects %j with %s', (value, code, id) => {
    const r = decodeClientFrame(value);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.id).toBe(id);
    }
  });
});

describe('decodeServerFrame', () => {
  it('accepts replies and known pushes, rejects the rest', () => {
    expect(decodeServerFrame({ v: 1, id: 1, type: 'ok', data: {} }).ok).toBe(true);
    expect(decodeServerFrame({ v: 1, id: 1, type: 'error', code: 'X', message: 'm' }).ok).toBe(
      true,
    );
    expect(
      decodeServerFrame({
        v: 1,
        type: 'push',
        event: { type: 'message', from: 'a', text: 'b', ts: 1 },
      }).ok,
    ).toBe(true);
    expect(decodeServerFrame({ v: 1, type: 'push', event: { type: 'evil' } }).ok).toBe(false);
    expect(decodeServerFrame({ v: 1, type: 'ok', data: {} }).ok).toBe(false);
    expect(decodeServerFrame({ v: 9, id: 1, type: 'ok' }).ok).toBe(false);
    expect(decodeServerFrame(42).ok).toBe(false);
  });
});
