/**
 * Control-channel messages and their validation at the edge.
 *
 * Request (client → server), always with an id the reply repeats:
 *   {"v":1,"id":7,"type":"msgto","to":"obiwan","text":"hello"}
 * Replies:
 *   {"v":1,"id":7,"type":"ok","data":{"ts":1700000000000}}
 *   {"v":1,"id":7,"type":"error","code":"UNKNOWN_USER","message":"..."}
 * Pushes (server → client, no id):
 *   {"v":1,"type":"push","event":{"type":"message","from":"Yoda","text":"hi","ts":1700000000000}}
 *
 * The sender's identity is never part of a request: the server takes it from the session.
 */
import { ErrorCode } from './errors.js';

export const PROTOCOL_VERSION = 1;

/** A UDP endpoint as the server saw it. */
export interface Endpoint {
  address: string;
  port: number;
}

/**
 * A UDP address a peer may be reached at, as the peer itself gathered it: an address of one
 * of its interfaces (`host`) or the address the server's UDP port saw it from (`srflx`).
 */
export interface Candidate {
  address: string;
  port: number;
  kind: 'host' | 'srflx';
}

/** Most candidates one side may announce; the rest are dropped by the client. */
export const MAX_CANDIDATES = 12;

/**
 * The UDP side of the server, granted at login: where binding requests and the relay are
 * (`port` on the address the client reached the server at), the session's 8-byte id (hex) and
 * 32-byte HMAC key (base64) that sign its binding and relay requests, and whether the server
 * relays transfers that find no direct path.
 */
export interface UdpGrant {
  port: number;
  session: string;
  key: string;
  relay: boolean;
}

/** A request of one type, as the schema (REQUEST_FIELDS below) defines it. */
export type RequestOf<T extends RequestType> = Flat<{ type: T } & FieldsOf<Schema[T]>>;

/** Every request a client may send: derived from REQUEST_FIELDS, the one place they are written. */
export type Request = { [T in RequestType]: RequestOf<T> }[RequestType];

export type RequestType = keyof Schema;

export interface ActiveUser {
  username: string;
  address: string;
  udpPort: number;
  /** Login time, ms since the epoch. */
  since: number;
  /** Set while the user is away: their away text (may be empty). */
  away?: string;
}

/** One message of a conversation's history. */
export interface HistoryEntry {
  /** messagelog.txt number (direct) or the group log's number. */
  n: number;
  from: string;
  text: string;
  ts: number;
  /** Direct messages: when the receiver's client confirmed it; null if not yet. */
  deliveredAt?: number | null;
}

/** A user seen lately, for /lastseen. */
export interface SeenUser {
  username: string;
  /** Last login or logout, ms since the epoch; for online users, now. */
  lastSeen: number;
  online: boolean;
}

/** One of your groups or invitations, for /groups. */
export interface GroupSummary {
  group: string;
  state: 'joined' | 'invited';
  members: number;
  invitedBy: string | null;
}

/** A group member, for /members. */
export interface GroupMember {
  username: string;
  state: 'joined' | 'invited';
  online: boolean;
}

/** Reply data for each request type. */
export interface ReplyData {
  /** `udp`: absent when the server has no UDP side (then transfers use `peer` only). */
  /** `ticket`: signs in again without the password (`resume`); absent from older servers. */
  login: { username: string; udp?: UdpGrant; ticket?: string };
  /** `ticket`: the same ticket, still valid until its own expiry (resume does not extend it). */
  resume: { username: string; udp?: UdpGrant; ticket?: string };
  /** `id`: the message's number (receipts name it); `queued`: receiver offline, kept for them. */
  msgto: { ts: number; id?: number; queued?: boolean; away?: string };
  /**
   * `tag`: names this list (a hash of it as you see it); `unchanged`: the request's tag still
   * names it, so `users` is left empty and the client keeps what it has.
   */
  activeuser: { users: ActiveUser[]; tag?: number; unchanged?: boolean };
  creategroup: { group: string; members: string[] };
  joingroup: { group: string };
  groupmsg: { ts: number };
  logout: Record<string, never>;
  ping: Record<string, never>;
  /**
   * `peer`: the audience's UDP port at the address the server sees its TCP connection come
   * from; `candidates`: what the audience gathered; `relay`: the server will relay this transfer.
   */
  'p2p-offer': {
    transferId: string;
    peer: Endpoint;
    publicKey: string;
    candidates: Candidate[];
    relay: boolean;
  };
  'p2p-answer': Record<string, never>;
  'p2p-relay': { transferId: string };
  'p2p-cancel': Record<string, never>;
  register: { username: string; udp?: UdpGrant; ticket?: string };
  /**
   * `remaining`: still queued after this batch; `lastId`: the batch's last queue id (0 when
   * empty). A client that sends `ack` (the lastId it fully received) gets at-least-once
   * hand-over: rows are deleted only when acknowledged, so a client dying mid-batch loses
   * nothing. It asks again until a batch comes back empty.
   */
  inbox: { count: number; remaining: number; lastId: number };
  delivered: Record<string, never>;
  history: { conversation: string; kind: 'direct' | 'group'; messages: HistoryEntry[] };
  broadcast: { ts: number; recipients: number };
  block: { user: string };
  unblock: { user: string };
  blocked: { users: string[] };
  lastseen: { minutes: number; users: SeenUser[] };
  away: { away: boolean; text: string };
  groups: { groups: GroupSummary[] };
  members: { group: string; members: GroupMember[] };
  invite: { group: string; user: string };
  leavegroup: { group: string };
}

export type PushEvent =
  | {
      type: 'message';
      from: string;
      text: string;
      ts: number;
      /** The message's number; the client confirms delivery with it. */
      id?: number;
      /** Delivered from the offline queue at login. */
      offline?: boolean;
    }
  | {
      type: 'group-message';
      group: string;
      from: string;
      text: string;
      ts: number;
      offline?: boolean;
    }
  | { type: 'group-invite'; group: string; from: string; members: string[] }
  /**
   * `user` joined, was invited to or left `group`: told to its other online members, so their
   * member lists follow. `online` as the /members reply would say it.
   */
  | {
      type: 'group-member';
      group: string;
      user: string;
      state: 'joined' | 'invited' | 'left';
      online: boolean;
    }
  | {
      type: 'transfer-offer';
      transferId: string;
      from: string;
      filename: string;
      size: number;
      sha256: string;
      publicKey: string;
      peer: Endpoint;
      candidates: Candidate[];
      relay: boolean;
    }
  | { type: 'transfer-cancelled'; transferId: string; reason: string }
  /** The presenter found no direct path: this transfer now runs through the server's relay. */
  | { type: 'transfer-relay'; transferId: string }
  /** The other side of an accepted transfer (`user`) lost or ended its session. */
  | { type: 'transfer-peer-offline'; transferId: string; user: string }
  | { type: 'bye'; reason: string; code?: string }
  | {
      type: 'presence';
      user: string;
      status: 'online' | 'offline' | 'away' | 'back';
      text?: string;
      ts: number;
    }
  /** Message `id` that you sent to `to` at `ts` reached their client at `deliveredAt`. */
  | { type: 'receipt'; id: number; to: string; ts: number; deliveredAt: number }
  | { type: 'broadcast'; from: string; text: string; ts: number };

export type ClientFrame = Request & { v: number; id: number };

export type ServerFrame =
  | { v: number; id: number; type: 'ok'; data: unknown }
  | { v: number; id: number; type: 'error'; code: string; message: string }
  | { v: number; type: 'push'; event: PushEvent };

/** What a field of each kind holds once decodeClientFrame has checked it. */
interface FieldTypes {
  string: string;
  port: number;
  size: number;
  bool: boolean;
  strings: string[];
  'optional-size': number;
  'optional-bool': boolean;
  'optional-candidates': Candidate[];
}

type FieldKind = keyof FieldTypes;
type Schema = typeof REQUEST_FIELDS;
type Optional<S> = { [K in keyof S]: S[K] extends `optional-${string}` ? K : never }[keyof S];
type FieldsOf<S extends Record<string, FieldKind>> = {
  -readonly [K in Exclude<keyof S, Optional<S>>]: FieldTypes[S[K]];
} & { -readonly [K in Optional<S>]?: FieldTypes[S[K]] };
type Flat<T> = { [K in keyof T]: T[K] };

/**
 * The requests: each type's fields and their kinds, the one place a request is written. The
 * Request type is derived from it and decodeClientFrame checks frames against it. Every field
 * but optional-* is required.
 */
const REQUEST_FIELDS = {
  login: { username: 'string', password: 'string', udpPort: 'port' },
  /** Signs in with a ticket from an earlier login's reply (no password, no scrypt). */
  resume: { ticket: 'string', udpPort: 'port' },
  msgto: { to: 'string', text: 'string' },
  /**
   * `auto`: asked by the client on its own (a refresh), not by the user: not activity.
   * `tag`: the reply's tag the client last saw; the same list again comes back as `unchanged`.
   */
  activeuser: { auto: 'optional-bool', tag: 'optional-size' },
  creategroup: { group: 'string', members: 'strings' },
  joingroup: { group: 'string' },
  groupmsg: { group: 'string', text: 'string' },
  logout: {},
  ping: {},
  'p2p-offer': {
    to: 'string',
    filename: 'string',
    size: 'size',
    sha256: 'string',
    publicKey: 'string',
    /** The presenter's UDP candidates; absent from older clients. */
    candidates: 'optional-candidates',
  },
  'p2p-answer': {
    transferId: 'string',
    accept: 'bool',
    publicKey: 'string',
    reason: 'string',
    /** The audience's UDP candidates (when accepting). */
    candidates: 'optional-candidates',
  },
  /** No direct path was found: relay this accepted transfer through the server. */
  'p2p-relay': { transferId: 'string' },
  /** Either side gives up an accepted transfer before it could start; the other side is told. */
  'p2p-cancel': { transferId: 'string', reason: 'string' },
  register: { username: 'string', password: 'string', udpPort: 'port' },
  inbox: { ack: 'optional-size' },
  delivered: { messageId: 'size' },
  history: { conversation: 'string', limit: 'size' },
  broadcast: { text: 'string' },
  block: { user: 'string' },
  unblock: { user: 'string' },
  blocked: {},
  lastseen: { minutes: 'size' },
  away: { text: 'string' },
  groups: {},
  members: { group: 'string' },
  invite: { group: 'string', user: 'string' },
  leavegroup: { group: 'string' },
} as const satisfies Record<string, Record<string, FieldKind>>;

/** Every request type, from the schema itself, so tests that cover "every type" stay complete. */
export const REQUEST_TYPES = Object.keys(REQUEST_FIELDS) as RequestType[];

/** The schema as [field, kind] lists, made once instead of by Object.entries per frame. */
const FIELD_LISTS = new Map(
  REQUEST_TYPES.map((type) => [
    type,
    Object.entries(REQUEST_FIELDS[type]) as [string, FieldKind][],
  ]),
);

/** Longest string field accepted; the frame cap bounds the sum anyway. */
const MAX_STRING = 16 * 1024;
const MAX_LIST = 1000;

function fieldOk(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string' && value.length <= MAX_STRING;
    case 'port':
      return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;
    case 'size':
      return Number.isSafeInteger(value) && (value as number) >= 0;
    case 'optional-size':
      return value === undefined || (Number.isSafeInteger(value) && (value as number) >= 0);
    case 'bool':
      return typeof value === 'boolean';
    case 'optional-bool':
      return value === undefined || typeof value === 'boolean';
    case 'optional-candidates':
      return (
        value === undefined ||
        (Array.isArray(value) && value.length <= MAX_CANDIDATES && value.every(candidateOk))
      );
    case 'strings':
      return (
        Array.isArray(value) &&
        value.length <= MAX_LIST &&
        value.every((s) => typeof s === 'string' && s.length <= MAX_STRING)
      );
  }
}

function candidateOk(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const { address, port, kind } = value;
  return (
    typeof address === 'string' &&
    address.length > 0 &&
    address.length <= 64 &&
    /^[0-9A-Fa-f.:]+$/.test(address) &&
    Number.isInteger(port) &&
    (port as number) >= 1 &&
    (port as number) <= 65535 &&
    (kind === 'host' || kind === 'srflx')
  );
}

export type Decoded<T> =
  | { ok: true; value: T }
  | { ok: false; code: ErrorCode; message: string; id?: number };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a parsed frame from a client. Never throws. */
export function decodeClientFrame(value: unknown): Decoded<ClientFrame> {
  if (!isRecord(value)) {
    return { ok: false, code: ErrorCode.BadFrame, message: 'frame must be a JSON object' };
  }
  const id = value.id;
  if (!Number.isSafeInteger(id) || (id as number) < 0) {
    return { ok: false, code: ErrorCode.BadFrame, message: 'frame needs a numeric id' };
  }
  if (value.v !== PROTOCOL_VERSION) {
    return refused(
      id,
      ErrorCode.UnsupportedVersion,
      `protocol version must be ${PROTOCOL_VERSION}`,
    );
  }
  const type = value.type;
  const fields = typeof type === 'string' ? FIELD_LISTS.get(type as RequestType) : undefined;
  if (fields === undefined) {
    return refused(id, ErrorCode.UnknownType, `unknown request type: ${String(type).slice(0, 40)}`);
  }
  for (const [name, kind] of fields) {
    if (!fieldOk(kind, value[name])) {
      return refused(id, ErrorCode.BadRequest, `${type}: field "${name}" is missing or invalid`);
    }
  }
  return { ok: true, value: value as unknown as ClientFrame };
}

/** A frame with a usable id refused: the error reply can name it. */
function refused(id: unknown, code: ErrorCode, message: string): Decoded<ClientFrame> {
  return { ok: false, code, message, id: id as number };
}

const PUSH_TYPES = new Set<PushEvent['type']>([
  'message',
  'group-message',
  'group-invite',
  'group-member',
  'transfer-offer',
  'transfer-cancelled',
  'transfer-peer-offline',
  'transfer-relay',
  'bye',
  'presence',
  'receipt',
  'broadcast',
]);

/** Validates a parsed frame from the server. Never throws; the client trusts shapes only. */
export function decodeServerFrame(value: unknown): Decoded<ServerFrame> {
  const bad = (message: string): Decoded<ServerFrame> => ({
    ok: false,
    code: ErrorCode.BadFrame,
    message,
  });
  if (!isRecord(value)) return bad('frame must be a JSON object');
  if (value.v !== PROTOCOL_VERSION) return bad(`unsupported protocol version ${String(value.v)}`);
  if (value.type === 'push') {
    const event = value.event;
    if (!isRecord(event) || !PUSH_TYPES.has(event.type as PushEvent['type'])) {
      return bad('push with an unknown event');
    }
    return { ok: true, value: value as unknown as ServerFrame };
  }
  if (!Number.isSafeInteger(value.id)) return bad('reply without an id');
  if (value.type === 'ok') return { ok: true, value: value as unknown as ServerFrame };
  if (
    value.type === 'error' &&
    typeof value.code === 'string' &&
    typeof value.message === 'string'
  ) {
    return { ok: true, value: value as unknown as ServerFrame };
  }
  return bad('reply of an unknown type');
}
