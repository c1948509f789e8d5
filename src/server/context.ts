/**
 * What handlers see: the session they serve (as a narrow interface) and the server's
 * state owners. Keeping both narrow lets unit tests fake them in a few lines.
 */
import type { ChatStore } from '../store/store.js';
import type { TimeSource } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { AddressLimits } from './address-limits.js';
import type { Authenticator } from './auth.js';
import type { Blocks } from './blocks.js';
import type { ClusterHooks } from './cluster/hooks.js';
import type { Groups } from './groups.js';
import type { IdleWatch } from './idle.js';
import type { LastSeenWriter } from './last-seen.js';
import type { NumberedLog } from './logs/message-log.js';
import type { UserLog } from './logs/user-log.js';
import type { Presence } from './presence.js';
import type { UdpSide } from './relay/udp-side.js';
import type { ResumeTickets } from './resume-ticket.js';
import type { TransferBroker } from './transfers.js';

// Where handlers have always found it; defined apart so presence.ts needs no context.ts.
export type { ClientSession } from './client-session.js';

/** The state owners and sinks every handler may use. */
export interface ServerContext {
  readonly clock: TimeSource;
  readonly logger: Logger;
  /** The server's SPEC.md console lines; control characters are escaped on the way out. */
  readonly console: (line: string) => void;
  readonly auth: Authenticator;
  /** Signed session resume tickets: issued at login, checked by `resume`, revoked at /logout. */
  readonly tickets: ResumeTickets;
  /** Connections and failed logins per address. */
  readonly limits: AddressLimits;
  readonly presence: Presence;
  readonly groups: Groups;
  readonly userLog: UserLog;
  readonly messageLog: NumberedLog;
  readonly transfers: TransferBroker;
  /** Binding and relay on the server's UDP port; null when the server runs without one. */
  readonly udp: UdpSide | null;
  /** Durable state: history, groups, offline queues, blocks, last-seen. */
  readonly store: ChatStore;
  readonly blocks: Blocks;
  readonly idle: IdleWatch;
  /** Login and logout times, written to the store in batches. */
  readonly lastSeen: LastSeenWriter;
  /** Unknown usernames may create an account (`--allow-register`). */
  readonly allowRegister: boolean;
  /** The cluster's steps at login, logout, away and sign-in; null on a single node. */
  readonly cluster: ClusterHooks | null;
  /** Adds a `username hashed-password` line to credentials.txt, atomically. */
  readonly addCredentials: (username: string, stored: string) => Promise<void>;
}
