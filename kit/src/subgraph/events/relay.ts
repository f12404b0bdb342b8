import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Metrics } from '../../metrics';
import { publishTrace } from '../../telemetry-events';
import type { Telemetry } from '../../telemetry';
import { toEnvelope } from './recorder';
import { OutboxEvent } from './outbox.entity';
import { streamLostEntry } from './stream-loss';

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
  /** How long relayed rows are kept, to be relayed again if Redis loses the stream (ms; EVENTS_RETAIN). */
  retainMs?: number;
  /** How often to check that the stream still holds what was relayed (ms). */
  checkMs?: number;
  /** How often to delete relayed rows older than `retainMs` (ms). */
  pruneMs?: number;
  /** The stream's cap (approximate MAXLEN); tests use a small one. */
  maxLength?: number;
  /** The subgraph's tracing: each row recorded in a trace is published in a span of it (telemetry-events.ts). */
  telemetry?: Telemetry;
}

export interface Relay {
  /** Look at the outbox now (called after a transaction commits). */
  wake(): void;
  stop(): Promise<void>;
}

/** Caps the stream so it cannot grow without bound (approximate trimming is cheap). */
const STREAM_MAX_LENGTH = 1_000_000;
/** Relayed rows deleted per statement when pruning: short transactions, however large the backlog. */
const PRUNE_BATCH = 5_000;
const RELAY_LOCK = `select pg_try_advisory_xact_lock(hashtext('atrium:outbox-relay')) as locked`;

/**
 * Publishes the outbox to the Redis Stream, oldest first. Only one instance of a
 * subgraph relays at a time (a transaction-scoped advisory lock), which keeps each
 * producer's events in order; rows are stamped in the same transaction, so a crash
 * between XADD and commit republishes (at-least-once) and consumers deduplicate by id.
 *
 * PostgreSQL is the source of truth, not Redis: relayed rows are kept for `retainMs`, and
 * published again, in order, when Redis lost them; consumers skip what they already handled
 * (processed_event) and handle what the wipe took from them. Two signs of a loss:
 * - the stream's epoch (`<stream>:epoch`, a random id set when missing) is not the one this
 *   relay last saw: Redis lost its data (FLUSHALL, a restart or failover without
 *   persistence). Checked before every batch is published, so nothing new goes out before
 *   what the wipe took — which keeps each producer's events in order even then;
 * - every `checkMs`, the newest entry it published is gone (see `streamLostEntry`): a
 *   Redis that came back from its append-only file without its last writes.
 * Rows older than `retainMs` are deleted every `pruneMs`.
 */
export function startRelay(options: RelayOptions): Relay {
  const { orm, redis, stream, log } = options;
  const pollMs = options.pollMs ?? 200;
  const batchSize = options.batchSize ?? 200;
  const retainMs = options.retainMs ?? 7 * 24 * 3600_000;
  const checkMs = options.checkMs ?? 5_000;
  const pruneMs = options.pruneMs ?? 60_000;
  const maxLength = options.maxLength ?? STREAM_MAX_LENGTH;
  let running = true;
  let wakeUp: (() => void) | null = null;

  const epochKey = `${stream}:epoch`;
  let knownEpoch: string | undefined;
  /**
   * Whether Redis lost its data since this relay last looked: its epoch key is missing or
   * another one. The first look only learns the epoch (a loss while this process was away
   * shows as a lost newest entry instead).
   */
  const epochChanged = async () => {
    let current = await redis.get(epochKey);
    if (current === null) {
      await redis.set(epochKey, randomUUID(), 'NX');
      current = await redis.get(epochKey);
    }
    const changed = knownEpoch !== undefined && current !== knownEpoch;
    knownEpoch = current ?? undefined;
    return changed;
  };

  /** Marks every retained row unpublished again (under the relay's lock): they go out again, oldest first. */
  const relayAgain = async (em: EntityManager, why: Record<string, unknown>) => {
    const { affectedRows } = await em.execute<{ affectedRows: number }>(
      'update outbox_event set published_at = null, stream_id = null where published_at is not null and occurred_at >= ?',
      [new Date(Date.now() - retainMs)],
      'run',
    );
    log.warn({ stream, ...why, relayAgain: affectedRows }, 'the event stream lost what was relayed (Redis lost its data): relaying the retained events again');
    return affectedRows;
  };

  const unpublished = (em: EntityManager) => em.find(OutboxEvent, { publishedAt: null }, { orderBy: { occurredAt: 'asc', id: 'asc' }, limit: batchSize });

  const publishBatch = () =>
    orm.em.fork().transactional(async (em) => {
      const [{ locked }] = await em.execute<{ locked: boolean }[]>(RELAY_LOCK);
      if (!locked) return 0;
      let rows = await unpublished(em);
      if (rows.length === 0) return 0;
      if (await epochChanged()) {
        await relayAgain(em, { epoch: knownEpoch });
        rows = await unpublished(em);
      }
      const pipeline = redis.pipeline();
      // Tracing: each row's publish span, a child of its outbox write; the envelope carries its traceparent.
      const traces = rows.map((row) => publishTrace(options.telemetry, row, stream));
      rows.forEach((row, i) => {
        const envelope = toEnvelope(row);
        if (traces[i].traceparent) envelope.traceparent = traces[i].traceparent;
        pipeline.xadd(stream, 'MAXLEN', '~', maxLength, '*', 'event', JSON.stringify(envelope));
      });
      const results = await pipeline.exec().catch((err: unknown) => {
        for (const t of traces) t.end(err);
        throw err;
      }) ?? [];
      const now = new Date();
      rows.forEach((row, i) => {
        const [err, id] = results[i] ?? [new Error('no reply')];
        traces[i].end(err ?? undefined);
        if (err) {
          for (const t of traces.slice(i + 1)) t.end(err);
          throw err;
        }
        row.publishedAt = now;
        row.streamId = id as string;
      });
      return rows.length;
    });

  /**
   * Under the relay's lock, so no batch is being stamped meanwhile: if Redis lost its data
   * or the stream the newest entry relayed, marks every retained row unpublished again.
   * Returns how many.
   */
  const recoverLostStream = () =>
    orm.em.fork().transactional(async (em) => {
      const [{ locked }] = await em.execute<{ locked: boolean }[]>(RELAY_LOCK);
      if (!locked) return 0;
      const [newest] = await em.execute<{ stream_id: string | null }[]>(
        'select stream_id from outbox_event where published_at is not null order by occurred_at desc, id desc limit 1',
      );
      if (await epochChanged()) return relayAgain(em, { epoch: knownEpoch });
      if (!newest?.stream_id || !(await streamLostEntry(redis, stream, newest.stream_id, maxLength))) return 0;
      return relayAgain(em, { lostEntry: newest.stream_id });
    });

  /** Deletes relayed rows past the retention window, a batch at a time. */
  const prune = async () => {
    const cutoff = new Date(Date.now() - retainMs);
    let deleted = 0;
    for (;;) {
      const { affectedRows } = await orm.em.fork().execute<{ affectedRows: number }>(
        `delete from outbox_event where id in (
           select id from outbox_event where published_at is not null and occurred_at < ? order by occurred_at, id limit ${PRUNE_BATCH}
         )`,
        [cutoff],
        'run',
      );
      deleted += affectedRows;
      if (affectedRows < PRUNE_BATCH || !running) break;
    }
    if (deleted) log.debug({ deleted }, 'relayed events past retention deleted');
  };

  let lastCheck = 0;
  let lastPrune = 0;
  /** The stream check and pruning, each at its own (slow) pace: never per batch. */
  const upkeep = async () => {
    const now = Date.now();
    if (now - lastCheck >= checkMs) {
      lastCheck = now;
      await recoverLostStream();
    }
    if (now - lastPrune >= pruneMs) {
      lastPrune = now;
      await prune();
    }
  };

  const loop = (async () => {
    while (running) {
      let published = 0;
      try {
        await upkeep();
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
