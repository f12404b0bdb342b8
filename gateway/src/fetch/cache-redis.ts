import IORedis from 'ioredis';

/**
 * A cache's own Redis connection (entity, response and root cache), fail-open: no offline
 * queue and a short command timeout, so with Redis away a lookup fails at once (a miss)
 * instead of waiting; auto-pipelining, so the lookups of concurrent requests leave in one
 * write per event-loop turn. Connecting may fail: the gateway starts and serves all the
 * same, uncached, and ioredis keeps reconnecting. Errors are reported by the cache using it
 * (at most every 30 s, when a read or write fails), not per event here.
 */
export async function connectCacheRedis(url: string, name: string): Promise<IORedis> {
  const redis = new IORedis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1_000, enableAutoPipelining: true, connectionName: name });
  redis.on('error', () => undefined);
  await redis.connect().catch(() => undefined);
  return redis;
}
