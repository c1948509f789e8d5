/**
 * What the load generator needs of a chat connection, whatever the protocol: log in, join a
 * group, send a direct or group message, and report acknowledgements and deliveries. One
 * adapter per server (Tessenger JSON lines, IRC), so both are driven by the same loop.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

/** Where a connection reports what it saw; one per worker process. */
export interface LoadSink {
  /** A message this connection received; `sentAt` is the sender's clock (epoch ms). */
  delivered(sentAt: number): void;
  /** `count` of this connection's messages were acknowledged by the server. */
  acked(client: LoadClient, count: number): void;
  /** The server refused something or closed the connection. */
  failed(reason: string): void;
}

export interface LoadClient {
  readonly name: string;
  /** Messages sent and not yet acknowledged. */
  readonly outstanding: number;
  /** Connects and logs in; resolves once the server says the user is in. */
  login(host: string, port: number, password: string): Promise<void>;
  /** Creates a group with these members (Tessenger) or joins the channel (IRC). */
  createGroup(group: string, members: readonly string[]): Promise<void>;
  /** Accepts an invitation (Tessenger) or joins the channel (IRC). */
  joinGroup(group: string): Promise<void>;
  sendDirect(to: string, text: string): void;
  sendGroup(group: string, text: string): void;
  /**
   * Ends a burst of sends. IRC has no per-message reply, so its adapter sends a PING here and
   * counts the burst acknowledged when the PONG comes back (the server answers in order).
   */
  endBurst(): void;
  close(): void;
}

/** Epoch milliseconds with sub-millisecond precision, comparable across processes. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

const MARK = '@T';
const PAD = 'x'.repeat(64);

/** A message text that carries its send time: `@T<epoch ms>;xxxx…` (about 80 characters). */
export function stampedText(): string {
  return `${MARK}${nowMs().toFixed(3)};${PAD}`;
}

/** The send time inside a received line, or NaN when the line carries none. */
export function sentAtIn(line: string): number {
  const at = line.indexOf(MARK);
  if (at === -1) return Number.NaN;
  const end = line.indexOf(';', at);
  return Number(line.slice(at + MARK.length, end));
}

/** Splits a byte stream into lines (without the terminator, `\r` dropped too). */
export class LineSplitter {
  private rest = '';

  push(chunk: Buffer, onLine: (line: string) => void): void {
    const text = this.rest + chunk.toString('latin1');
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      onLine(text.slice(start, end));
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }
}

/** Clients that share one source address: under the server's cap of connections per address. */
const CLIENTS_PER_ADDRESS = 50;

/**
 * The loopback source address of user `index`: all of 127/8 is loopback on Linux, so spreading
 * clients over 127.1.x.y keeps each address under Tessenger's per-address connection cap (64)
 * without turning it off. ngIRCd gets the same spread (its per-IP cap is off anyway).
 */
export function sourceAddress(index: number): string {
  const a = Math.floor(index / CLIENTS_PER_ADDRESS);
  return `127.1.${Math.floor(a / 250)}.${(a % 250) + 1}`;
}

/** Connects with Nagle off and hands every received line to `onLine`; failures go to the sink. */
export async function connectLines(
  host: string,
  port: number,
  name: string,
  sink: LoadSink,
  onLine: (line: string) => void,
): Promise<net.Socket> {
  const socket = net.connect({ host, port, localAddress: sourceAddress(Number(name.slice(4))) });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const splitter = new LineSplitter();
  socket.on('data', (chunk: Buffer) => splitter.push(chunk, onLine));
  socket.on('error', (err) => sink.failed(`${name}: ${err.message}`));
  socket.on('close', () => sink.failed(`${name}: connection closed`));
  return socket;
}
