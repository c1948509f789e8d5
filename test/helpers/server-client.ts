/**
 * A raw-frame test client for the server: connect, send frames (or raw bytes), await
 * replies by id, collect pushes. It speaks the wire format directly, not through src/client.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { PushEvent, RequestType } from '../../src/protocol/control.js';

export interface OkFrame {
  v: number;
  id: number;
  type: 'ok';
  // biome-ignore lint/suspicious/noExplicitAny: tests read reply fields freely
  data: any;
}
export interface ErrorFrame {
  v: number;
  id: number;
  type: 'error';
  code: string;
  message: string;
  [extra: string]: unknown;
}
export interface PushFrame {
  v: number;
  type: 'push';
  event: PushEvent;
}
export type Frame = OkFrame | ErrorFrame | PushFrame;

interface Waiter {
  match: (frame: Frame) => boolean;
  resolve: (frame: Frame) => void;
}

export class TestClient {
  /** Every frame received, in order. */
  readonly frames: Frame[] = [];
  private readonly consumed = new Set<Frame>();
  private waiters: Waiter[] = [];
  private buffered = '';
  private nextId = 1;
  /** Resolves when the server (or we) closed the connection. */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => this.onData(text));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static connect(port: number, host = '127.0.0.1', useTls = false): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = useTls ? connectTls(port, host) : net.connect(port, host);
      socket.once(useTls ? 'secureConnect' : 'connect', () => resolve(new TestClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a request of the current version and resolves with its reply. */
  request(type: RequestType, fields: Record<string, unknown> = {}): Promise<OkFrame | ErrorFrame> {
    const id = this.nextId++;
    this.sendFrame({ v: 1, id, type, ...fields });
    return this.reply(id);
  }

  /** Sends a request and expects an `ok` reply; returns its data. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read reply fields freely
  async ok(type: RequestType, fields: Record<string, unknown> = {}): Promise<any> {
    const frame = await this.request(type, fields);
    if (frame.type !== 'ok') throw new Error(`${type} failed: ${frame.code} ${frame.message}`);
    return frame.data;
  }

  /** Sends a request and expects an error reply. */
  async fail(type: RequestType, fields: Record<string, unknown> = {}): Promise<ErrorFrame> {
    const frame = await this.request(type, fields);
    if (frame.type !== 'error') throw new Error(`${type} unexpectedly succeeded`);
    return frame;
  }

  login(username: string, password: string, udpPort = 6000): Promise<OkFrame | ErrorFrame> {
    return this.request('login', { username, password, udpPort });
  }

  /** Allocates an id for a hand-built frame. */
  takeId(): number {
    return this.nextId++;
  }

  sendFrame(frame: object): void {
    this.socket.write(`${JSON.stringify(frame)}\n`);
  }

  writeRaw(data: string | Buffer): void {
    this.socket.write(data);
  }

  reply(id: number): Promise<OkFrame | ErrorFrame> {
    return this.next((f) => f.type !== 'push' && f.id === id) as Promise<OkFrame | ErrorFrame>;
  }

  /** The next unconsumed error frame with id 0 (a frame the server could not read). */
  frameError(): Promise<ErrorFrame> {
    return this.next((f) => f.type === 'error' && f.id === 0) as Promise<ErrorFrame>;
  }

  /** The next unconsumed push of this event type. */
  push<T extends PushEvent['type']>(type: T): Promise<Extract<PushEvent, { type: T }>> {
    return this.next((f) => f.type === 'push' && f.event.type === type).then(
      (f) => (f as PushFrame).event as Extract<PushEvent, { type: T }>,
    );
  }

  /** Pushes received so far, of one type or all. */
  pushes(type?: PushEvent['type']): PushEvent[] {
    return this.frames
      .filter((f): f is PushFrame => f.type === 'push')
      .map((f) => f.event)
      .filter((e) => type === undefined || e.type === type);
  }

  /** Stops reading (a slow or stuck client); the server's output backs up. */
  pause(): void {
    this.socket.pause();
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private next(match: (frame: Frame) => boolean): Promise<Frame> {
    const found = this.frames.find((f) => !this.consumed.has(f) && match(f));
    if (found) {
      this.consumed.add(found);
      return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { match, resolve };
      this.waiters.push(waiter);
      this.closed.then(() => {
        if (this.waiters.includes(waiter)) {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new Error('connection closed before the expected frame'));
        }
      });
    });
  }

  private onData(text: string): void {
    this.buffered += text;
    for (;;) {
      const nl = this.buffered.indexOf('\n');
      if (nl === -1) return;
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      const frame = JSON.parse(line) as Frame;
      this.frames.push(frame);
      const waiter = this.waiters.find((w) => w.match(frame));
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        this.consumed.add(frame);
        waiter.resolve(frame);
      }
    }
  }
}

/** TLS 1.3 to a test server's self-signed certificate (the pin is not what these tests check). */
export function connectTls(port: number, host = '127.0.0.1'): tls.TLSSocket {
  return tls.connect({ port, host, minVersion: 'TLSv1.3', rejectUnauthorized: false });
}
