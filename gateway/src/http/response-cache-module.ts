import { connectCacheRedis } from '../fetch/cache-redis';
import type IORedis from 'ioredis';
import type { Invalidation } from '../fetch/cache-invalidation';
import type { GatewayModule } from '../module';
import { ResponseCache } from './response-cache';
import { invalidateSharedResponses, ResponseStore } from './response-cache-store';

/**
 * The response cache (response-cache.ts), on whenever CACHE is memory or redis and
 * RESPONSE_CACHE is on: its Apollo Server plugin, its tiers (CACHE's), and its part of the
 * entity cache's invalidation by domain events (`invalidation`, fetch/cache-invalidation.ts —
 * no second reader of the stream). Started after the entity cache and before the GraphQL
 * endpoint (which takes its plugin); it reads the hints and authorizer of whatever
 * supergraph the gateway loads (`follow`).
 *
 * With RESPONSE_CACHE=off, the shared invalidation is still run: the gateway that handles an
 * event may be this one, other replicas may cache responses, and the root cache of the fetch
 * stage (fetch/root-cache-module.ts) reads the same tag marks — this is where they are set.
 */
export function responseCache(invalidation: Invalidation | undefined): GatewayModule<{ responses: ResponseCache | undefined }> {
  return {
    name: 'response cache',
    async start({ config, log, metrics }) {
      if (config.CACHE === 'off' || !invalidation) return { responses: undefined };
      const invalidate = { shared: (redis: IORedis, entities: Parameters<typeof invalidateSharedResponses>[2]) => invalidateSharedResponses(redis, config.CACHE_PREFIX, entities, metrics.responseCache) };
      if (config.RESPONSE_CACHE === 'off') {
        invalidation.add(invalidate);
        return { responses: undefined };
      }
      const redis = config.CACHE === 'redis' ? await connectCacheRedis(config.REDIS_URL, 'gateway:response-cache') : undefined;
      const store = new ResponseStore({
        mode: config.CACHE,
        prefix: config.CACHE_PREFIX,
        redis,
        memoryEntries: config.RESPONSE_CACHE_MEMORY_ENTRIES,
        metrics: metrics.responseCache,
        log,
      });
      invalidation.add({ ...invalidate, forget: (entities) => store.forget(entities), listening: (listening) => store.setListening(listening) });
      const responses = new ResponseCache(store, config.CACHE_PREFIX, metrics.responseCache);
      return {
        responses,
        plugins: [responses.plugin()],
        close: () => redis?.disconnect(),
      };
    },
  };
}
