import IORedis, { type Redis } from 'ioredis';

export type { Redis };

/**
 * A Redis connection for events and jobs. `maxRetriesPerRequest: null` is what BullMQ
 * requires; the first ping fails fast with a message saying how to get a Redis.
 */
export async function connectRedis(url: string, name: string): Promise<Redis> {
  const redis = new IORedis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: true });
  // A failure to connect is reported once, below; not also as ioredis's "Unhandled error event".
  const quiet = () => undefined;
  redis.on('error', quiet);
  try {
    await redis.connect();
    await redis.ping();
    redis.off('error', quiet);
  } catch (err) {
    redis.disconnect();
    throw new Error(
      `${name}: cannot reach Redis at ${url} (${err instanceof Error ? err.message : err}). ` +
        'Start one (e.g. `redis-server`, your package manager, or `docker compose up -d redis`) or set REDIS_URL.',
    );
  }
  return redis;
}
