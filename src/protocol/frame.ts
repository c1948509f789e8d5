/**
 * Line framing for the control channel: one JSON object per line, UTF-8, `\n` terminated.
 *
 * Example bytes of one frame (41 bytes):
 *   {"v":1,"id":3,"type":"activeuser"}\n
 *
 * The decoder never throws on input: garbage yields an error value, and a line longer than
 * the cap is a protocol error instead of a buffer that grows without bound.
 */

/** Largest accepted frame in bytes, newline excluded. */
export const MAX_FRAME_BYTES = 64 * 1024;

export type FrameEvent =
  | { kind: 'frame'; value: unknown }
  | { kind: 'error'; code: 'BAD_JSON' | 'FRAME_TOO_LARGE'; detail: string };

const NEWLINE = 0x0a;

/** Splits a byte stream into JSON values, one per line. Feed chunks as they arrive. */
export class LineDecoder {
  private parts: Buffer[] = [];
  private pending = 0;
  /** True after an oversize line: the stream is no longer in sync and must be closed. */
  broken = false;

  constructor(private readonly maxBytes: number = MAX_FRAME_BYTES) {}

  push(chunk: Buffer): FrameEvent[] {
    const out: FrameEvent[] = [];
    if (this.broken) return out;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) break;
      if (this.pending + (nl - start) > this.maxBytes) {
        this.overflow(out);
        return out;
      }
      if (this.pending === 0) {
        // The common case, a whole line in this chunk: parsed in place, no copy of its bytes.
        out.push(parseLine(chunk, start, nl));
      } else {
        const line = Buffer.concat([...this.parts, chunk.subarray(start, nl)]);
        this.parts = [];
        this.pending = 0;
        out.push(parseLine(line, 0, line.length));
      }
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.length - start;
      if (this.pending + rest > this.maxBytes) {
        this.overflow(out);
        return out;
      }
      // Copy: the caller may reuse its chunk buffer.
      this.parts.push(Buffer.from(chunk.subarray(start)));
      this.pending += rest;
    }
    return out;
  }

  private overflow(out: FrameEvent[]): void {
    this.broken = true;
    this.parts = [];
    this.pending = 0;
    out.push({
      kind: 'error',
      code: 'FRAME_TOO_LARGE',
      detail: `frame exceeds ${this.maxBytes} bytes`,
    });
  }
}

/** Parses the line in `buf` from `start` to `end` (its newline excluded). */
function parseLine(buf: Buffer, start: number, end: number): FrameEvent {
  // Tolerate CRLF from hand-typed sessions (nc, telnet).
  const stop = end > start && buf[end - 1] === 0x0d ? end - 1 : end;
  const text = buf.toString('utf8', start, stop);
  try {
    return { kind: 'frame', value: JSON.parse(text) };
  } catch {
    // Told apart only on failure: a blank line is not valid JSON either.
    const detail = text.trim() === '' ? 'empty line' : 'line is not valid JSON';
    return { kind: 'error', code: 'BAD_JSON', detail };
  }
}

/** Encodes one frame; JSON.stringify escapes newlines inside strings, so framing holds. */
export function encodeFrame(value: object): Buffer {
  return Buffer.from(frameText(value), 'utf8');
}

/**
 * One frame as text, newline included: for writers that join a turn's frames into one
 * socket write (the server's sessions) instead of making a Buffer per frame.
 */
export function frameText(value: object): string {
  return `${JSON.stringify(value)}\n`;
}
