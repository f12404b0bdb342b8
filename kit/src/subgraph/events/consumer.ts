import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { asBackgroundWork } from '../db';
import type { Jobs } from '../jobs';
import type { EventOutcome, Metrics } from '../../metrics';
import type { EventType } from './catalog';
import type { EventEnvelope } from './envelope';
import { serializeError } from '../../dependency-errors';
import type { Telemetry } from '../../telemetry';
import { consumeTrace } from '../../telemetry-events';
import { createRecorder, type EventRecorder } from './recorder';

/** What an event handler gets: a transaction shared with the processed-event record. */
export interface HandlerContext {
  em: EntityManager;
  log: Logger;
  /** Follow-up events, committed with the handler's changes, same correlation id. */
  events: EventRecorder;
  /**
   * Jobs: `add` is held back until the handler's transaction commits (and dropped if it
   * rolls back), so a job never runs before the rows it needs are visible.
   */
  jobs: Jobs;
}

export type EventHandler<T extends EventType = EventType> = (event: EventEnvelope<T>, ctx: HandlerContext) => Promise<void>;
export type EventHandlers = { [T in EventType]?: EventHandler<T> };

export interface ConsumerOptions {
  orm: MikroORM;
  redis: Redis;
  stream: string;
  /** The consumer group: the subgraph's name. */
  group: string;
  /** This instance, unique within the group. */
  consumer: string;
  handlers: EventHandlers;
  jobs: Jobs;
  log: Logger;
  /** A delivery pending this long is retried (or claimed from a dead instance). */
  retryIdleMs?: number;
  /** After this many deliveries an event goes to the dead-letter stream. */
  maxDeliveries?: number;
  /** Counts deliveries by outcome (`atrium_events_handled_total`) and reports the group's lag. */
  metrics?: Metrics;
  /** The subgraph's tracing: each handling is a span continuing the event's trace (telemetry-events.ts). */
  telemetry?: Telemetry;
}

export interface Consumer {
  stop(): Promise<void>;
}

export const deadLetterStream = (stream: string) => `${stream}:dead`;

type StreamEntry = [id: string, fields: string[]];

/** The type of a raw stream event, for metrics (`unknown` when it does not parse). */
const eventTypeOf = (raw: string | undefined) => {
  try {
    const type = (JSON.parse(raw ?? '') as { type?: unknown }).type;
    return typeof type === 'string' ? type : 'unknown';
  } catch {
    return 'unknown';
  }
};

/**
 * Reads the stream through the subgraph's consumer group (at-least-once). Each event is
 * handled in one transaction with the row that marks it processed, so redelivery has no
 * second effect; the entry is acknowledged after commit. Entries left pending — by a
 * handler that failed, or an instance that died mid-way — are claimed again after
 * `retryIdleMs`, and after `maxDeliveries` attempts moved to the dead-letter stream.
 * When Redis loses the group (NOGROUP), it is created again and reading goes on.
 */
export async function startConsumer(options: ConsumerOptions): Promise<Consumer> {
  const { orm, redis, stream, group, consumer, handlers, log, jobs, metrics } = options;
  const retryIdleMs = options.retryIdleMs ?? 5_000;
  const maxDeliveries = options.maxDeliveries ?? 5;
  const lastError = new Map<string, string>();
  // XREADGROUP BLOCK holds its connection: give it its own.
  const reader = redis.duplicate({ connectionName: `${consumer}:reader` });
  /**
   * Creates the group at the start of the stream (and the stream if missing). From 0, not
   * from `$`: after Redis lost its data, the relay publishes again what was lost, and the
   * group must read it all (handled events are skipped by their processed-event row).
   */
  const ensureGroup = async () => {
    try {
      await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
      return true;
    } catch (err) {
      if (!String(err).includes('BUSYGROUP')) throw err;
      return false;
    }
  };
  await ensureGroup();
  let running = true;
  const unwatchLag = metrics?.watchStreamLag(redis, stream, group);

  const handle = async ([id, fields]: StreamEntry) => {
    const raw = fields[fields.indexOf('event') + 1];
    let event: EventEnvelope;
    try {
      event = JSON.parse(raw) as EventEnvelope;
    } catch {
      lastError.set(id, 'unparseable event');
      metrics?.eventHandled('unknown', 'failed');
      return; // stays pending, dead-lettered after maxDeliveries
    }
    const handler = handlers[event.type] as EventHandler | undefined;
    let outcome: EventOutcome = 'skipped';
    if (handler) {
      const deferred: (() => Promise<void>)[] = [];
      const afterCommitJobs: Jobs = { ...jobs, add: async (...args) => void deferred.push(() => jobs.add(...args)) };
      try {
        // Tracing: the handling (its transaction, its follow-up events and jobs) is one span of the event's trace.
        await consumeTrace(options.telemetry, event, { stream, group }, async (span) => {
          await asBackgroundWork(() => orm.em.fork().transactional(async (em) => {
            const inserted = await em.execute<{ event_id: string }[]>(
              'insert into processed_event (event_id, consumer, processed_at) values (?, ?, now()) on conflict do nothing returning event_id',
              [event.id, group],
            );
            if (inserted.length === 0) return; // handled before: redelivery has no effect
            outcome = 'handled';
            span.setAttribute('atrium.event.outcome', outcome);
            const events = createRecorder(em, { producer: group, correlationId: event.correlationId, actorId: event.actorId });
            await handler(event, { em, log: log.child({ event: event.type, eventId: event.id, correlationId: event.correlationId }), events, jobs: afterCommitJobs });
          }));
          for (const enqueue of deferred) await enqueue();
        });
      } catch (err) {
        // Kept for the dead-letter entry and its log line: never a database error's raw
        // message, which holds the SQL with its values.
        const safe = serializeError(err) as { message?: unknown } | undefined;
        lastError.set(id, typeof safe?.message === 'string' ? safe.message : String(err));
        log.warn({ err, eventId: event.id, type: event.type }, 'event handler failed; it will be retried');
        metrics?.eventHandled(event.type, 'failed');
        return;
      }
    }
    await redis.xack(stream, group, id);
    lastError.delete(id);
    metrics?.eventHandled(event.type, outcome);
  };

  const retryPending = async () => {
    const pending = (await redis.xpending(stream, group, 'IDLE', retryIdleMs, '-', '+', 50)) as [string, string, number, number][];
    for (const [id, , , deliveries] of pending) {
      if (!running) return;
      if (deliveries >= maxDeliveries) {
        const [entry] = (await redis.xrange(stream, id, id)) as StreamEntry[];
        await redis.xadd(deadLetterStream(stream), '*', 'event', entry?.[1][1] ?? '', 'group', group, 'streamId', id, 'error', lastError.get(id) ?? 'unknown');
        await redis.xack(stream, group, id);
        log.error({ streamId: id, error: lastError.get(id) }, 'event dead-lettered after repeated failures');
        metrics?.eventHandled(eventTypeOf(entry?.[1][1]), 'dead_lettered');
        lastError.delete(id);
        continue;
      }
      const claimed = (await redis.xclaim(stream, group, consumer, retryIdleMs, id)) as StreamEntry[];
      for (const entry of claimed) await handle(entry);
    }
  };

  const readLoop = (async () => {
    let lastRetry = 0;
    while (running) {
      try {
        const result = (await reader.xreadgroup('GROUP', group, consumer, 'COUNT', 50, 'BLOCK', Math.min(1_000, retryIdleMs), 'STREAMS', stream, '>')) as
          | [string, StreamEntry[]][]
          | null;
        for (const [, entries] of result ?? []) for (const entry of entries) await handle(entry);
        if (Date.now() - lastRetry >= retryIdleMs / 2) {
          lastRetry = Date.now();
          await retryPending();
        }
      } catch (err) {
        if (!running) break;
        // NOGROUP: Redis lost the group (FLUSHALL, a restart or failover without persistence).
        if (String(err).includes('NOGROUP')) {
          try {
            if (await ensureGroup()) {
              log.warn({ stream, group }, 'consumer group lost with Redis data: created it again');
              lastError.clear();
              continue;
            }
          } catch (again) {
            err = again;
          }
        }
        log.error({ err }, 'event consumer error; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();

  return {
    stop: async () => {
      running = false;
      unwatchLag?.();
      reader.disconnect(); // ends a blocked XREADGROUP at once
      await readLoop;
    },
  };
}
