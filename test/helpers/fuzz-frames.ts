/**
 * Seeded generators of hostile control frames: raw garbage, mutated real frames, and
 * well-formed requests of every type with random (often wrong) values. Deterministic for a
 * seed, so a failure can be replayed. They start from fixtures/frames/, the corpus of past
 * bugs: its lines are sent as they are now and then, and mutated like the real frames.
 */
import { REQUEST_TYPES } from '../../src/protocol/control.js';
import { frameCorpus } from './fixtures.js';
import { seededRandom } from './udp-proxy.js';

const TYPES = REQUEST_TYPES;
/** Field name → the kind the schema wants; the generator honours it most of the time. */
const FIELDS: Record<string, 'string' | 'port' | 'size' | 'bool' | 'strings'> = {
  username: 'string',
  password: 'string',
  ticket: 'string',
  udpPort: 'port',
  to: 'string',
  text: 'string',
  group: 'string',
  members: 'strings',
  filename: 'string',
  size: 'size',
  sha256: 'string',
  publicKey: 'string',
  transferId: 'string',
  accept: 'bool',
  reason: 'string',
  messageId: 'size',
  conversation: 'string',
  limit: 'size',
  user: 'string',
  minutes: 'size',
};
const NAMES = ['Yoda', 'obiwan', 'Hans', 'vader', 'Tiger', 'nobody', '', '../x', 'a\nb', '\u202e'];
const NASTY = [
  '\u0000',
  '\n',
  '\r\n',
  '; ',
  '\u001b[2J',
  '%s%n',
  '"}',
  '\ud800',
  '💥',
  'x'.repeat(3000),
];

/** Read once: the same corpus for every worker. */
const CORPUS = frameCorpus().map(([, bytes]) => bytes);

export class FrameFuzzer {
  private readonly rnd: () => number;
  /** A few real frames to mutate. */
  private readonly templates: string[];

  constructor(seed: number) {
    this.rnd = seededRandom(seed);
    this.templates = [
      '{"v":1,"id":1,"type":"login","username":"Hans","password":"nope","udpPort":6000}',
      '{"v":1,"id":2,"type":"msgto","to":"Yoda","text":"hello there"}',
      '{"v":1,"id":3,"type":"creategroup","group":"jedi","members":["Yoda","obiwan"]}',
      '{"v":1,"id":4,"type":"p2p-offer","to":"obiwan","filename":"a.mp4","size":10,"sha256":"ab","publicKey":"k"}',
      ...CORPUS.map((b) => b.toString('utf8')),
    ];
  }

  private int(n: number): number {
    return Math.floor(this.rnd() * n);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  private string(): string {
    const r = this.rnd();
    if (r < 0.4) return this.pick(NAMES);
    if (r < 0.6) return this.pick(NASTY);
    let s = '';
    for (let i = this.int(40); i > 0; i--)
      s += String.fromCharCode(this.int(r < 0.8 ? 128 : 0xffff));
    return s;
  }

  private value(kind: string): unknown {
    if (this.rnd() < 0.15) {
      // The wrong kind on purpose.
      return this.pick<unknown>([null, -1, 1.5, 2 ** 60, true, [], {}, 'str', [1, 2], { a: 1 }]);
    }
    switch (kind) {
      case 'port':
        return this.int(70000);
      case 'size':
        return this.rnd() < 0.1 ? Number.MAX_SAFE_INTEGER : this.int(1e9);
      case 'bool':
        return this.rnd() < 0.5;
      case 'strings':
        return Array.from({ length: this.int(6) }, () => this.string());
      default:
        return this.string();
    }
  }

  /** A well-formed request of a random type with random field values. */
  request(): string {
    const frame: Record<string, unknown> = {
      v: this.rnd() < 0.97 ? 1 : this.int(3),
      id: this.rnd() < 0.97 ? this.int(1e6) : -1,
      type: this.rnd() < 0.97 ? this.pick(TYPES) : this.string(),
    };
    for (const [name, kind] of Object.entries(FIELDS)) {
      if (this.rnd() < 0.5) frame[name] = this.value(kind);
    }
    return JSON.stringify(frame);
  }

  /** A real frame with bytes flipped, inserted, deleted or repeated. */
  mutated(): string {
    const chars = [...this.pick(this.templates)];
    for (let n = 1 + this.int(4); n > 0; n--) {
      const at = this.int(chars.length + 1);
      const op = this.int(4);
      if (op === 0) chars[at] = String.fromCharCode(this.int(256));
      else if (op === 1) chars.splice(at, 0, this.pick(['"', '{', '}', ',', ':', '\\', '[', '0']));
      else if (op === 2) chars.splice(at, 1 + this.int(5));
      else chars.splice(at, 0, ...chars.slice(at, at + this.int(20)));
    }
    // A newline inside would only split it into two lines; keep the count honest.
    return chars.join('').replace(/\n/g, ' ');
  }

  /** Random bytes, newline-free, as one line. */
  garbage(): Buffer {
    const buf = Buffer.alloc(this.int(200));
    for (let i = 0; i < buf.length; i++) buf[i] = this.int(256);
    for (let i = 0; i < buf.length; i++) if (buf[i] === 0x0a) buf[i] = 0x20;
    return buf;
  }

  /** One line (newline included) of a random sort; about half are schema-valid requests. */
  line(): Buffer {
    const r = this.rnd();
    if (r < 0.05) return Buffer.concat([this.pick(CORPUS), Buffer.from('\n')]);
    const body = r < 0.2 ? this.garbage() : Buffer.from(r < 0.45 ? this.mutated() : this.request());
    return Buffer.concat([body, Buffer.from('\n')]);
  }

  /** Rarely: a line over the 64 KiB cap, which must cost the sender its connection. */
  oversize(): boolean {
    return this.rnd() < 0.0005;
  }
}
