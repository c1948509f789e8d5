/**
 * Load-generator connection speaking IRC (RFC 2812) to ngIRCd: NICK/USER to log in, JOIN for
 * groups, PRIVMSG for both kinds of message. PRIVMSG has no reply, so a burst of messages is
 * followed by one PING; the server handles a client's commands in order, so its PONG means the
 * burst was processed and relayed (the same point at which Tessenger replies "ok").
 */
import type net from 'node:net';
import { connectLines, type LoadClient, type LoadSink, sentAtIn } from '../load/load-client.js';

export class IrcClient implements LoadClient {
  outstanding = 0;
  private socket: net.Socket | null = null;
  /** Messages sent since the last PING. */
  private unpinged = 0;
  /** Sizes of the bursts whose PONG has not come back, oldest first. */
  private readonly bursts: number[] = [];
  private pingSeq = 0;
  private onWelcome: (() => void) | null = null;
  private readonly joins = new Map<string, () => void>();

  constructor(
    readonly name: string,
    private readonly sink: LoadSink,
  ) {}

  async login(host: string, port: number, _password: string): Promise<void> {
    this.socket = await connectLines(host, port, this.name, this.sink, (line) => this.onLine(line));
    // Logged in at RPL_WELCOME (001): registration is complete and PRIVMSG is accepted.
    const welcomed = new Promise<void>((resolve) => {
      this.onWelcome = resolve;
    });
    this.write(`NICK ${this.name}\r\nUSER ${this.name} 0 * :bench\r\n`);
    await welcomed;
  }

  createGroup(group: string): Promise<void> {
    return this.joinGroup(group);
  }

  joinGroup(group: string): Promise<void> {
    const channel = `#${group}`;
    return new Promise((resolve) => {
      this.joins.set(channel.toLowerCase(), resolve);
      this.write(`JOIN ${channel}\r\n`);
    });
  }

  sendDirect(to: string, text: string): void {
    this.outstanding += 1;
    this.unpinged += 1;
    this.write(`PRIVMSG ${to} :${text}\r\n`);
  }

  sendGroup(group: string, text: string): void {
    this.outstanding += 1;
    this.unpinged += 1;
    this.write(`PRIVMSG #${group} :${text}\r\n`);
  }

  endBurst(): void {
    if (this.unpinged === 0) return;
    this.bursts.push(this.unpinged);
    this.unpinged = 0;
    this.write(`PING :b${this.pingSeq++}\r\n`);
  }

  close(): void {
    this.socket?.removeAllListeners('close');
    this.socket?.destroy();
  }

  private write(text: string): void {
    this.socket?.write(text);
  }

  private onLine(line: string): void {
    // ":nick!user@host PRIVMSG target :text" — the hot path first.
    if (line.includes(' PRIVMSG ')) {
      const sentAt = sentAtIn(line);
      if (!Number.isNaN(sentAt)) this.sink.delivered(sentAt);
      return;
    }
    if (line.startsWith('PING ')) {
      this.write(`PONG ${line.slice(5)}\r\n`);
      return;
    }
    const parts = line.split(' ');
    const command = parts[1] ?? '';
    if (command === 'PONG') {
      const burst = this.bursts.shift() ?? 0;
      this.outstanding -= burst;
      this.sink.acked(this, burst);
    } else if (command === '001') {
      this.onWelcome?.();
      this.onWelcome = null;
    } else if (command === 'JOIN' && parts[0]?.startsWith(`:${this.name}!`)) {
      const channel = (parts[2] ?? '').replace(/^:/, '').toLowerCase();
      this.joins.get(channel)?.();
      this.joins.delete(channel);
    } else if (/^[45]\d\d$/.test(command) || line.startsWith('ERROR')) {
      this.sink.failed(`${this.name}: ${line.slice(0, 200)}`);
    }
  }
}
