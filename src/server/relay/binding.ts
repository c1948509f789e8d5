/**
 * UDP sessions and binding: each logged-in session gets a random 8-byte id and a 32-byte
 * HMAC key (its grant, sent over the control channel at login); a BIND signed with that key is
 * answered with the address and port the server saw it come from (the client's
 * server-reflexive candidate). Anything unsigned, unknown or malformed is dropped, counted and
 * never answered; BIND_OK (59 B) is smaller than the BIND it answers (64 B).
 */
import crypto from 'node:crypto';
import {
  decodePath,
  encodePath,
  type Mapped,
  type PathPacket,
  PathType,
  peekPath,
} from '../../transfer/path/packet.js';
import type { ClientSession } from '../client-session.js';
import type { UdpStats } from './stats.js';

/** Where the UDP side sends its answers; the dgram socket in production, a fake in tests. */
export interface DatagramOut {
  send(datagram: Buffer, port: number, address: string): void;
}

/** One session's UDP credentials. */
export interface UdpSession {
  /** 8 bytes: the key id of its BIND and ALLOC packets. */
  readonly id: Buffer;
  /** 32 bytes: the HMAC key of its BIND and ALLOC packets. */
  readonly key: Buffer;
  readonly session: ClientSession;
}

export type Verified<T extends PathType> =
  | { ok: true; packet: Extract<PathPacket, { type: T }>; owner: UdpSession }
  | { ok: false; reason: 'malformed' | 'unknownSession' | 'badMac' };

/** Session credentials by id, and BIND answers. */
export class UdpSessions {
  private readonly byId = new Map<string, UdpSession>();
  private readonly bySession = new Map<ClientSession, UdpSession>();

  /** The session's credentials, made on first call. */
  register(session: ClientSession): UdpSession {
    const known = this.bySession.get(session);
    if (known) return known;
    let id = crypto.randomBytes(8);
    while (this.byId.has(id.toString('hex'))) id = crypto.randomBytes(8);
    const entry = { id, key: crypto.randomBytes(32), session };
    this.byId.set(id.toString('hex'), entry);
    this.bySession.set(session, entry);
    return entry;
  }

  unregister(session: ClientSession): void {
    const entry = this.bySession.get(session);
    if (!entry) return;
    this.bySession.delete(session);
    this.byId.delete(entry.id.toString('hex'));
  }

  get size(): number {
    return this.byId.size;
  }

  /** Finds the signing session of a path packet of `type`, checks its MAC and decodes it. */
  verify<T extends PathType>(datagram: Buffer, type: T): Verified<T> {
    const peek = peekPath(datagram);
    if (!peek.ok || peek.value.type !== type) return { ok: false, reason: 'malformed' };
    const owner = this.byId.get(peek.value.keyId.toString('hex'));
    if (!owner) return { ok: false, reason: 'unknownSession' };
    const decoded = decodePath(datagram, owner.key);
    if (!decoded.ok)
      return { ok: false, reason: decoded.error === 'bad mac' ? 'badMac' : 'malformed' };
    return { ok: true, packet: decoded.value as Extract<PathPacket, { type: T }>, owner };
  }
}

/** Answers a BIND signed by a known session, or counts why not (and answers nothing). */
export function answerBind(
  sessions: UdpSessions,
  stats: UdpStats['binding'],
  out: DatagramOut,
  datagram: Buffer,
  source: Mapped,
): void {
  const verified = sessions.verify(datagram, PathType.Bind);
  if (!verified.ok) {
    stats[verified.reason] += 1;
    return;
  }
  const { packet, owner } = verified;
  // encodePath writes a v4-mapped source (dual-stack socket) as the plain IPv4 it is.
  const answer = encodePath(
    { type: PathType.BindOk, keyId: owner.id, txn: packet.txn, mapped: source },
    owner.key,
  );
  stats.answered += 1;
  out.send(answer, source.port, source.address);
}
