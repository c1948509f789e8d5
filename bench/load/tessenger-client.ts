/**
 * Load-generator connection speaking Tessenger's control protocol (docs/PROTOCOL.md): one
 * JSON object per line, each request answered with its id. Lines are classified by their
 * first bytes instead of JSON.parse, so the generator spends its CPU sending, not parsing.
 */
import type net from 'node:net';
import { connectLines, type LoadClient, type LoadSink, sentAtIn } from './load-client.js';

const REPLY_PREFIX = '{"v":1,"id":';
const PUSH_PREFIX = '{"v":1,"type":"push"';

export class TessengerClient implements LoadClient {
  outstanding = 0;
  private socket: net.Socket | null = null;
  private nextId = 1;
  /** Setup requests (login, groups) waiting for their reply, by id. */
  private readonly waiting = new Map<number, (line: string) => void>();

  constructor(
    readonly name: string,
    private readonly sink: LoadSink,
  ) {}

  async login(host: string, port: number, password: string): Promise<void> {
    this.socket = await connectLines(host, port, this.name, this.sink, (line) => this.onLine(line));
    const reply = await this.request({
      type: 'login',
      username: this.name,
      password,
      udpPort: 6000,
    });
    if (!reply.includes('"type":"ok"')) throw new Error(`${this.name}: login refused: ${reply}`);
  }

  async createGroup(group: string, members: readonly string[]): Promise<void> {
    const reply = await this.request({ type: 'creategroup', group, members });
    if (!reply.includes('"type":"ok"')) throw new Error(`creategroup ${group}: ${reply}`);
  }

  async joinGroup(group: string): Promise<void> {
    const reply = await this.request({ type: 'joingroup', group });
    if (!reply.includes('"type":"ok"')) throw new Error(`joingroup ${group}: ${reply}`);
  }

  sendDirect(to: string, text: string): void {
    this.outstanding += 1;
    this.write(`{"v":1,"id":${this.nextId++},"type":"msgto","to":"${to}","text":"${text}"}\n`);
  }

  sendGroup(group: string, text: string): void {
    this.outstanding += 1;
    this.write(
      `{"v":1,"id":${this.nextId++},"type":"groupmsg","group":"${group}","text":"${text}"}\n`,
    );
  }

  /** Every Tessenger request is answered by itself: nothing to mark. */
  endBurst(): void {}

  close(): void {
    this.socket?.removeAllListeners('close');
    this.socket?.destroy();
  }

  private request(frame: Record<string, unknown>): Promise<string> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.write(`${JSON.stringify({ v: 1, id, ...frame })}\n`);
    });
  }

  private write(text: string): void {
    this.socket?.write(text);
  }

  private onLine(line: string): void {
    if (line.startsWith(PUSH_PREFIX)) {
      const sentAt = sentAtIn(line);
      // Presence changes and invitations carry no send time: only messages count.
      if (!Number.isNaN(sentAt)) this.sink.delivered(sentAt);
      return;
    }
    const id = line.startsWith(REPLY_PREFIX)
      ? Number.parseInt(line.slice(REPLY_PREFIX.length), 10)
      : ((JSON.parse(line) as { id?: number }).id ?? 0);
    const waiter = this.waiting.get(id);
    if (waiter) {
      this.waiting.delete(id);
      waiter(line);
      return;
    }
    if (!line.includes('"type":"ok"')) this.sink.failed(`${this.name}: ${line.slice(0, 200)}`);
    this.outstanding -= 1;
    this.sink.acked(this, 1);
  }
}
