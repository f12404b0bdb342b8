import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { FailOpenRedis } from './fail-open-redis';

export interface PersistedQueryCacheOptions {
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
export function createPersistedQueryCache(options: PersistedQueryCacheOptions, shared: FailOpenRedis): KeyValueCache<string> {
  const { redis } = shared;
  const warn = shared.warner('persisted-query cache unavailable (Redis unreachable): every lookup is a miss');
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
  };
}
