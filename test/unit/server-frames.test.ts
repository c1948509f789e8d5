/**
 * The hand-built server frames give exactly JSON.stringify's text (frameText) for the same
 * frame: tricky texts (quotes, backslashes, control characters, U+2028, emoji, lone
 * surrogates) by example and by property (fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeServerFrame, type PushEvent } from '../../src/protocol/control.js';
import { frameText, LineDecoder } from '../../src/protocol/frame.js';
import {
  type MessageEvent,
  messagePushText,
  okReplyText,
  pushFrameText,
} from '../../src/protocol/server-frames.js';

const TRICKY = [
  '',
  'hi',
  'say "hello" \\ back\\slash \\"',
  'line\nbreak\r\ttab\u0000nul\u001f\u007f\u0085',
  'separators \u2028 and \u2029',
  'emoji 😀 and 日本語',
  'lone high \ud800 and lone low \udc00 and reversed \udc00\ud800',
  '</script>{"v":1}',
];

const push = (event: PushEvent): string => frameText({ v: 1, type: 'push', event });

/** Any string, lone surrogates included (code units, not code points). */
const anyText = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map(String.fromCharCode) });

describe('messagePushText', () => {
  it.each(TRICKY)('equals frameText for %j', (text) => {
    const event: MessageEvent = { type: 'message', from: text, text, ts: 1_700_000_000_000, id: 7 };
    expect(messagePushText(event)).toBe(push(event));
  });

  it('leaves out the optional keys that are absent, in the order of the type', () => {
    const base = { type: 'message' as const, from: 'Yoda', text: 'hi', ts: 5 };
    expect(messagePushText(base)).toBe(push(base));
    expect(messagePushText({ ...base, id: 3, offline: true })).toBe(
      push({ ...base, id: 3, offline: true }),
    );
    expect(messagePushText({ ...base, offline: false })).toBe(push({ ...base, offline: false }));
  });

  it('writes non-finite numbers as JSON.stringify does (null)', () => {
    const event: MessageEvent = { type: 'message', from: 'a', text: 'b', ts: Number.NaN, id: -0 };
    expect(messagePushText(event)).toBe(push(event));
  });

  it('equals frameText for any texts, numbers and optional keys (property)', () => {
    fc.assert(
      fc.property(
        anyText,
        anyText,
        fc.oneof(fc.integer(), fc.double()),
        fc.option(fc.nat(), { nil: undefined }),
        fc.option(fc.boolean(), { nil: undefined }),
        (from, text, ts, id, offline) => {
          const event: MessageEvent = { type: 'message', from, text, ts };
          if (id !== undefined) event.id = id;
          if (offline !== undefined) event.offline = offline;
          expect(messagePushText(event)).toBe(push(event));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is one line that the client decodes back to the event', () => {
    const event: MessageEvent = {
      type: 'message',
      from: 'Yoda',
      text: TRICKY.join('|'),
      ts: 1,
      id: 2,
    };
    const text = messagePushText(event);
    expect(text.indexOf('\n')).toBe(text.length - 1);
    const [decoded] = new LineDecoder().push(Buffer.from(text));
    expect(decoded?.kind === 'frame' && decodeServerFrame(decoded.value)).toEqual({
      ok: true,
      value: { v: 1, type: 'push', event },
    });
  });
});

describe('okReplyText', () => {
  const ok = (id: number, data: unknown): string => frameText({ v: 1, id, type: 'ok', data });

  it.each(TRICKY)('equals frameText for data holding %j', (text) => {
    const data = { ts: 1_700_000_000_000, id: 12, queued: true, away: text };
    expect(okReplyText(3, data)).toBe(ok(3, data));
  });

  it('equals frameText for empty, nested and undefined data', () => {
    for (const data of [{}, { users: [{ username: 'a', since: 1 }] }, undefined, null, [1, 'x']]) {
      expect(okReplyText(9, data)).toBe(ok(9, data));
    }
  });

  it('equals frameText for any id and any JSON data (property)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.jsonValue(), (id, data) => {
        expect(okReplyText(id, data)).toBe(ok(id, data));
      }),
      { numRuns: 300 },
    );
  });
});

describe('pushFrameText', () => {
  it.each(TRICKY)('equals frameText for events holding %j', (text) => {
    const events: PushEvent[] = [
      { type: 'group-message', group: text, from: 'Yoda', text, ts: 1 },
      { type: 'presence', user: text, status: 'away', text, ts: 2 },
      { type: 'bye', reason: text },
    ];
    for (const event of events) expect(pushFrameText(event)).toBe(push(event));
  });
});
