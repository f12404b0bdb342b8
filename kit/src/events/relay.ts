import type { MikroORM } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics';
import { toEnvelope } from './recorder';
import { OutboxEvent } from './outbox.entity';

export interface RelayOptions {
  orm: MikroORM;
  redis: Redis;
  stream: string;
  log: Logger;
  /** How often to look for new outbox rows when idle (ms). */
  pollMs?: number;
  batchSize?: number;
  /** Counts published events (`atrium_events_published_total`). */
  metrics?: Metrics;
}

export interface Relay {
  /** Look at the outbox now (called after a transaction commits). */
  wake(): void;
  stop(): Promise<void>;
}

/** Caps the stream so it cannot grow without bound (approximate trimming is cheap). */
const STREAM_MAX_LENGTH = '1000000';

/**
 * Publishes the outbox to the Redis Stream, oldest first. Only one instance of a
 * subgraph relays at a time (a transaction-scoped advisory lock), which keeps each
 * producer's events in order; rows are stamped in the same transaction, so a crash
 * between XADD and commit republishes (at-least-once) and consumers deduplicate by id.
 */
export function startRelay(options: RelayOptions): Relay {
  const { orm, redis, stream, log } = options;
  const pollMs = options.pollMs ?? 200;
  const batchSize = options.batchSize ?? 200;
  let running = true;
  let wakeUp: (() => void) | null = null;

  const publishBatch = () =>
    orm.em.fork().transactional(async (em) => {
      const [{ locked }] = await em.execute<{ locked: boolean }[]>(`select pg_try_advisory_xact_lock(hashtext('atrium:outbox-relay')) as locked`);
      if (!locked) return 0;
      const rows = await em.find(OutboxEvent, { publishedAt: null }, { orderBy: { occurredAt: 'asc', id: 'asc' }, limit: batchSize });
      if (rows.length === 0) return 0;
      const pipeline = redis.pipeline();
      for (const row of rows) pipeline.xadd(stream, 'MAXLEN', '~', STREAM_MAX_LENGTH, '*', 'event', JSON.stringify(toEnvelope(row)));
      const results = (await pipeline.exec()) ?? [];
      const now = new Date();
      rows.forEach((row, i) => {
        const [err, id] = results[i] ?? [new Error('no reply')];
        if (err) throw err;
        row.publishedAt = now;
        row.streamId = id as string;
      });
      return rows.length;
    });

  const loop = (async () => {
    while (running) {
      let published = 0;
      try {
        published = await publishBatch();
        if (published) {
          options.metrics?.eventsPublished(published);
          log.debug({ published }, 'outbox relayed');
        }
      } catch (err) {
        if (running) log.error({ err }, 'outbox relay failed; retrying');
      }
      if (running && published < batchSize) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, published === 0 ? pollMs : 0);
          wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wakeUp = null;
      }
    }
  })();

  return {
    wake: () => wakeUp?.(),
    stop: async () => {
      running = false;
      wakeUp?.();
      await loop;
    },
  };
}
