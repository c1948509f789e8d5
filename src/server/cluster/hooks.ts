/**
 * The cluster steps the handlers take (ServerContext.cluster), apart from the bridge that
 * implements them so the context needs no import of it.
 */
import type { PushEvent, Request } from '../../protocol/control.js';
import type { ClientSession, OnlineUser } from '../client-session.js';

/** What the handlers ask of the cluster (ServerContext.cluster; null on a single node). */
export interface ClusterHooks {
  /** Makes the user this node's; false when a live node holds them. */
  claim(user: OnlineUser): Promise<boolean>;
  /** The user signed out here. */
  released(username: string): void;
  /** The user's away text changed. */
  awayChanged(user: OnlineUser): void;
  /** Once per session, after its offline queue: direct messages never confirmed by its client. */
  redeliver(session: ClientSession, username: string): Promise<void>;
  /**
   * An answer or cancel for a transfer another node brokers (its presenter is there): sent to
   * that node, which acts on it as if the user's stand-in had sent it. False when no node
   * here knows the transfer.
   */
  forward(username: string, request: TransferRequest): boolean;
  /**
   * A push this node is making to a local session, kept in the node's stream for a few
   * seconds: if the node dies before the client read it, the reaper sends it again.
   */
  retain(username: string, event: PushEvent): void;
}

/** The transfer requests a node may have to forward to the presenter's node. */
export type TransferRequest = Extract<Request, { type: 'p2p-answer' | 'p2p-cancel' }>;
