/**
 * A server node's start in a cluster: the Redis connections, the shared store, the node's
 * membership and the bridge to the server's owners, in the order start-up needs them.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { openRedisStore } from '../../store/redis-store.js';
import type { ChatStore } from '../../store/store.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { TimerGroup } from '../../util/timer-group.js';
import type { ServerContext } from '../context.js';
import type { ResumeTickets } from '../resume-ticket.js';
import { ClusterBridge } from './cluster-bridge.js';
import { ClusterNode } from './cluster-node.js';
import { PublishingStore } from './publishing-store.js';
import { connectRedis, readerConnection } from './redis-connection.js';

export interface ClusterConfig {
  /** `redis://HOST:PORT` */
  url: string;
  /** This node's name in the cluster and in its records; unique per node. */
  nodeId: string;
  /** Key prefix, so several clusters (or tests) can share one Redis; default `tsg:`. */
  prefix?: string;
  heartbeatMs?: number;
  ttlMs?: number;
  connectTimeoutMs?: number;
}

export interface ClusterParts {
  readonly store: ChatStore;
  readonly bridge: ClusterBridge;
  readonly node: ClusterNode;
  /** The cluster's resume-ticket key: the first node to start makes it. */
  ticketKey(): Promise<Buffer>;
  /** Revocations survive in Redis and reach every node. */
  shareRevocations(tickets: ResumeTickets): Promise<void>;
  /** Joins: the directory into presence, then the heartbeat and the stream reader. */
  start(ctx: ServerContext): Promise<void>;
  /** Stops reading and leaves the directory (after the sessions were signed out). */
  stop(): Promise<void>;
  /** Closes the connections. */
  leave(): Promise<void>;
}

export async function joinCluster(
  config: ClusterConfig,
  deps: { clock: Clock; timers: TimerGroup; logger: Logger; maxQueued?: number | undefined },
): Promise<ClusterParts> {
  const prefix = config.prefix ?? 'tsg:';
  let redis: Redis;
  try {
    redis = await connectRedis(config.url, config.connectTimeoutMs);
  } catch (err) {
    const error = new Error((err as Error).message) as NodeJS.ErrnoException;
    error.code = 'EREDIS';
    throw error;
  }
  const reader = readerConnection(redis);
  const node = new ClusterNode(redis, reader, {
    nodeId: config.nodeId,
    prefix,
    clock: deps.clock,
    timers: deps.timers,
    logger: deps.logger,
    ...(config.heartbeatMs !== undefined ? { heartbeatMs: config.heartbeatMs } : {}),
    ...(config.ttlMs !== undefined ? { ttlMs: config.ttlMs } : {}),
  });
  const shared = openRedisStore({
    redis,
    prefix,
    nodeId: config.nodeId,
    ...(deps.maxQueued !== undefined ? { maxQueued: deps.maxQueued } : {}),
  });
  const store = new PublishingStore(shared, redis, node, deps.logger, prefix);
  const bridge = new ClusterBridge(node, shared);
  let left = false;
  return {
    store,
    bridge,
    node,
    async ticketKey() {
      await redis.set(`${prefix}ticket-key`, randomBytes(32).toString('hex'), 'NX');
      const hex = await redis.get(`${prefix}ticket-key`);
      return Buffer.from(hex ?? '', 'hex');
    },
    async shareRevocations(tickets) {
      const key = `${prefix}ticket-revoked`;
      const now = deps.clock.now();
      for (const [id, expires] of Object.entries(await redis.hgetall(key))) {
        if (Number(expires) > now) tickets.applyRevoked(id, Number(expires));
        else await redis.hdel(key, id);
      }
      tickets.onRevoke = async (id, expires) => {
        await redis.hset(key, id, String(expires));
        await node.publish({ k: 'revoke', id, expires });
      };
    },
    async start(ctx) {
      bridge.attach(ctx);
      ctx.presence.useRemoteSessions(bridge.remoteSession);
      for (const user of await node.join()) ctx.presence.setRemote(user);
      node.start(bridge);
    },
    stop: () => node.close(),
    async leave() {
      if (left) return;
      left = true;
      await node.close();
      reader.disconnect();
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}
