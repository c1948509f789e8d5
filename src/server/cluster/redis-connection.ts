/**
 * The cluster's connections to Redis (ioredis). Commands fail at once while Redis is away
 * (`enableOfflineQueue: false`) instead of waiting in a queue: a node must refuse a message it
 * cannot store, not acknowledge it later or hang the sender. ioredis reconnects by itself with
 * the back-off below; the node notices through the `ready` and `close` events.
 */
import { Redis } from 'ioredis';

/** Reconnect back-off: 100 ms, 200 ms, ... up to 2 s between attempts, forever. */
function retryStrategy(times: number): number {
  return Math.min(times * 100, 2000);
}

/** A command connection that is ready, or a rejection that says why in one line. */
export async function connectRedis(url: string, timeoutMs = 5000): Promise<Redis> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Bad Redis address ${url}: expected redis://HOST:PORT`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`Bad Redis address ${url}: expected redis://HOST:PORT`);
  }
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    // Replies never come twice: a command cut off by a lost connection fails, it is not resent.
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy,
    lazyConnect: true,
    connectTimeout: timeoutMs,
  });
  // Without a listener ioredis prints every reconnect failure; the node logs them instead.
  redis.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer')), timeoutMs);
      }),
    ]);
  } catch (err) {
    redis.disconnect();
    const reason = (err as Error).message || String(err);
    throw new Error(`Cannot reach Redis at ${url}: ${reason}`);
  } finally {
    clearTimeout(timer);
  }
  return redis;
}

/**
 * A second connection for the node's blocking stream reads (XREAD BLOCK holds a connection),
 * allowed to queue while reconnecting since it only reads.
 */
export function readerConnection(redis: Redis): Redis {
  const reader = redis.duplicate({
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    lazyConnect: false,
  });
  reader.on('error', () => {});
  return reader;
}
