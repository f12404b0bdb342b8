import type { Logger } from '@atrium/kit';
import IORedis, { type Redis } from 'ioredis';

/**
 * The gateway's own Redis connection, for what may degrade while Redis is away (rate
 * limits, the persisted-query cache): no offline queue, so a command fails at once instead
 * of waiting, and ioredis keeps reconnecting in the background. One connection serves both.
 * Auto-pipelining: every request spends its rate-limit budget here, and writing each command
 * to the socket on its own was the gateway's largest single cost under load (one write
 * syscall per request; docs/benchmarks.md, "Levers"); the commands of one event-loop turn go
 * out in one write instead.
 */
export interface FailOpenRedis {
  redis: Redis;
  /** Whether Redis answers, for `/ready`. */
  status(): Promise<'up' | 'down'>;
  /**
   * A warning for one feature running degraded (`message`), logged at most every 30 s —
   * once in a while, not per request.
   */
  warner(message: string): (err: unknown) => void;
  close(): void;
}

export async function connectFailOpenRedis(url: string, log: Logger): Promise<FailOpenRedis> {
  const redis: Redis = new IORedis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true, connectionName: 'gateway' });
  const warner = (message: string) => {
    let last = 0;
    return (err: unknown) => {
      if (Date.now() - last < 30_000) return;
      last = Date.now();
      log.warn({ err, redis: url }, message);
    };
  };
  const unreachable = warner('Redis unreachable: rate limits let requests through, persisted queries miss');
  redis.on('error', unreachable);
  await redis.connect().catch(unreachable);
  return {
    redis,
    warner,
    async status() {
      if (redis.status !== 'ready') return 'down';
      try {
        await Promise.race([redis.ping(), new Promise((_, reject) => setTimeout(reject, 1_000).unref())]);
        return 'up';
      } catch {
        return 'down';
      }
    },
    close: () => redis.disconnect(),
  };
}
