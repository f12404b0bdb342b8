import { connectCacheRedis } from './cache-redis';
import { ResponseStore } from '../http/response-cache-store';
import type { GatewayModule } from '../module';
import type { Invalidation } from './cache-invalidation';
import { RootFetchCache } from './root-cache';

/**
 * The root cache of the fetch stage (root-cache.ts), on whenever CACHE is memory or redis and
 * ROOT_CACHE is on: its tiers (CACHE's, the response cache's store with entries of its own)
 * and its part of the entity cache's invalidation (`invalidation`, cache-invalidation.ts): this
 * process's memory tier forgets what an event changed. The shared part — the tag marks in
 * Redis, once per event — is the response cache module's, which runs it whatever
 * RESPONSE_CACHE says (http/response-cache-module.ts): both stores read the same marks.
 * Started before the subgraph fetch that uses it; it reads the hints of whatever supergraph
 * the gateway loads (`follow`).
 */
export function rootCache(invalidation: Invalidation | undefined): GatewayModule<{ roots: RootFetchCache | undefined }> {
  return {
    name: 'root cache',
    async start({ config, log, metrics }) {
      if (config.CACHE === 'off' || config.ROOT_CACHE === 'off' || !invalidation) return { roots: undefined };
      const redis = config.CACHE === 'redis' ? await connectCacheRedis(config.REDIS_URL, 'gateway:root-cache') : undefined;
      const store = new ResponseStore({
        mode: config.CACHE,
        prefix: config.CACHE_PREFIX,
        redis,
        memoryEntries: config.ROOT_CACHE_MEMORY_ENTRIES,
        metrics: metrics.rootCache,
        log,
        name: 'root cache',
      });
      invalidation.add({ forget: (entities) => store.forget(entities), listening: (listening) => store.setListening(listening) });
      return { roots: new RootFetchCache(store, config.CACHE_PREFIX, metrics.rootCache), close: () => redis?.disconnect() };
    },
  };
}
