/**
 * A logged-in user and one client connection as the server's owners and handlers see them.
 * Apart from context.ts and presence.ts, which both need them, so neither imports the other.
 */
import type { PushEvent } from '../protocol/control.js';
import type { MessageEvent } from '../protocol/server-frames.js';

/** A logged-in user and where their client listens for transfers. */
export interface OnlineUser {
  username: string;
  address: string;
  udpPort: number;
  /** Login time, ms since the epoch. */
  since: number;
  /** Set while away: the away text (may be empty). */
  away?: string;
}

/** One client connection as handlers see it. */
export interface ClientSession {
  /** Unique per connection, for diagnostics. */
  readonly id: number;
  /** Peer IP as the server saw it, without the `::ffff:` IPv4-mapped prefix. */
  readonly address: string;
  /** Set once logged in; null before. */
  readonly user: OnlineUser | null;
  /** Marks the session logged in. */
  admit(user: OnlineUser): void;
  /** Sends an event; dropped silently once the session is closed. */
  push(event: PushEvent): void;
  /** Sends a direct message built by the server (keys in MessageEvent's order), encoded by hand. */
  pushMessage(event: MessageEvent): void;
  /** Ends the session after the current reply has been written. */
  endAfterReply(): void;
  /** Ends the session from the server side, telling the client why. */
  shutdown(reason: string, code?: string): void;
}
