import type { GatewayModule } from '../module';
import { connectCacheRedis } from './cache-redis';
import { startInvalidation, type Invalidation } from './cache-invalidation';
import { EntityCache } from './entity-cache';

/**
 * The entity cache (CACHE=memory|redis; nothing with `off`): the cache the data sources
 * answer `_entities` fetches from (entity-cache.ts) and its invalidation by domain events
 * (cache-invalidation.ts). Started before the subgraph fetch that uses it; it reads the cache
 * hints of whatever supergraph the gateway loads (`follow`). Redis may be away at start and
 * later: the gateway starts and serves all the same, uncached. It gives the modules after it
 * the invalidation, for the response cache to follow the same events (http/response-cache-module.ts).
 */
export function entityCache(): GatewayModule<{ cache: EntityCache | undefined; invalidation: Invalidation | undefined }> {
  return {
    name: 'entity cache',
    async start({ config, log, metrics }) {
      if (config.CACHE === 'off') return { cache: undefined, invalidation: undefined };
      const redis = await connectCacheRedis(config.REDIS_URL, 'gateway:cache');
      const cache = new EntityCache({
        mode: config.CACHE,
        prefix: config.CACHE_PREFIX,
        redis: config.CACHE === 'redis' ? redis : undefined,
        memoryEntities: config.CACHE_MEMORY_ENTITIES,
        metrics: metrics.cache,
        log,
      });
      let invalidation;
      try {
        invalidation = await startInvalidation({
          redis,
          stream: config.EVENTS_STREAM,
          group: config.CACHE_GROUP,
          prefix: config.CACHE_PREFIX,
          metrics: metrics.cache,
          log,
          onForget: (entities) => cache.forget(entities),
          onListening: (listening) => cache.setListening(listening),
        });
      } catch (err) {
        redis.disconnect();
        throw err;
      }
      return {
        cache,
        invalidation,
        async close() {
          await invalidation.close();
          redis.disconnect();
        },
      };
    },
  };
}
