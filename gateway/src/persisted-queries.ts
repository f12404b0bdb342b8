import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { Logger } from '@atrium/kit';
import IORedis, { type Redis } from 'ioredis';

export interface PersistedQueryCacheOptions {
  redisUrl: string;
  /** Prefix of every key in Redis. */
  keyPrefix: string;
  /** How long a registered query is kept after its last registration, in seconds. */
  ttlSeconds: number;
}

/**
 * The automatic persisted queries (APQ) cache in Redis, so a query registered through one
 * gateway replica is known to all (clients send only its hash afterwards). Like the rate
 * limits, it fails open: while Redis is unreachable every lookup is a miss (the client
 * sends the full query again, as APQ clients do on PERSISTED_QUERY_NOT_FOUND) and
 * registrations are dropped, with a warning now and then.
 */
export function createPersistedQueryCache(options: PersistedQueryCacheOptions, log: Logger): KeyValueCache<string> & { close(): void } {
  const redis: Redis = new IORedis(options.redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectionName: 'gateway-apq',
  });
  let lastWarning = 0;
  const warn = (err: unknown) => {
    if (Date.now() - lastWarning < 30_000) return;
    lastWarning = Date.now();
    log.warn({ err, redis: options.redisUrl }, 'persisted-query cache unavailable (Redis unreachable): every lookup is a miss');
  };
  redis.on('error', warn);
  void redis.connect().catch(warn); // ioredis keeps reconnecting in the background
  const key = (k: string) => `${options.keyPrefix}:${k}`;
  return {
    async get(k: string) {
      try {
        return (await redis.get(key(k))) ?? undefined;
      } catch (err) {
        warn(err);
        return undefined;
      }
    },
    async set(k: string, value: string, setOptions?: KeyValueCacheSetOptions) {
      const ttl = setOptions?.ttl ?? options.ttlSeconds;
      try {
        await redis.set(key(k), value, 'EX', Math.max(1, Math.round(ttl)));
      } catch (err) {
        warn(err);
      }
    },
    async delete(k: string) {
      try {
        return (await redis.del(key(k))) > 0;
      } catch (err) {
        warn(err);
        return false;
      }
    },
    close: () => redis.disconnect(),
  };
}
