/**
 * Requests to the server's UDP port: BIND (which address the server sees this socket at, the
 * server-reflexive candidate) and ALLOC (register this socket as one end of a relayed
 * transfer). Both are signed with the session's UDP key from the login reply.
 */
import type { Peer } from '../net/udp-socket.js';
import { type Mapped, PathType, type Role } from './packet.js';
import type { PathPort } from './path-port.js';

/** The session's UDP credentials and where the server's UDP port is. */
export interface ServerUdp {
  server: Peer;
  session: Buffer;
  key: Buffer;
  relay: boolean;
}

/** The address and port the server saw the BIND come from; null if it never answered. */
export async function bindReflexive(port: PathPort, udp: ServerUdp): Promise<Mapped | null> {
  const answer = await port.request(
    (txn) => ({ type: PathType.Bind, keyId: udp.session, txn }),
    udp.key,
    PathType.BindOk,
    udp.server,
  );
  return answer && answer.packet.type === PathType.BindOk ? answer.packet.mapped : null;
}

/** Registers this socket as `role`'s end of the relayed transfer `tag`; false if unanswered. */
export async function allocateRelay(
  port: PathPort,
  udp: ServerUdp,
  tag: Buffer,
  role: Role,
): Promise<boolean> {
  const answer = await port.request(
    (txn) => ({ type: PathType.Alloc, keyId: udp.session, txn, tag, role }),
    udp.key,
    PathType.AllocOk,
    udp.server,
  );
  return answer !== null;
}
