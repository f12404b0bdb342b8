import { TransactionContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { recordedTrace } from '../../telemetry-events';
import type { EventCatalog, EventType } from './catalog';
import type { EventEnvelope } from './envelope';
import { OutboxEvent } from './outbox.entity';

/** Records domain events into the outbox of the current unit of work. */
export interface EventRecorder {
  /**
   * Adds the event to the outbox so it commits in the same transaction as the change:
   * inside `em.transactional()` it joins that transaction (found through MikroORM's
   * transaction context, whichever fork started it); otherwise it joins the unit of work
   * of `options.em` or the request's `em` — call it before that `flush()`.
   */
  record<T extends EventType>(type: T, data: EventCatalog[T], options?: { em?: EntityManager; version?: number }): void;
}

export interface EventMeta {
  producer: string;
  correlationId: string;
  actorId: string | null;
}

/**
 * Strictly increasing time stamps within this process: the relay publishes in
 * (occurredAt, id) order, and two events recorded in the same millisecond (one request
 * often records several) must keep the order they were recorded in.
 */
let lastStamp = 0;
function nextStamp(): Date {
  const now = Date.now();
  lastStamp = now > lastStamp ? now : lastStamp + 1;
  return new Date(lastStamp);
}

export function createRecorder(em: EntityManager, meta: EventMeta): EventRecorder {
  return {
    record(type, data, options = {}) {
      const target = options.em ?? (TransactionContext.getEntityManager(em.name) as EntityManager | undefined) ?? em;
      const id = randomUUID();
      target.persist(
        target.create(OutboxEvent, {
          id,
          type,
          version: options.version ?? 1,
          producer: meta.producer,
          correlationId: meta.correlationId,
          actorId: meta.actorId,
          data: data as object,
          occurredAt: nextStamp(),
          // Tracing: the "outbox write" span's traceparent, continued by the relay and consumers (null when off).
          traceparent: recordedTrace(type, id, meta.producer),
        }),
      );
    },
  };
}

/** The envelope published for an outbox row. */
export function toEnvelope(row: OutboxEvent): EventEnvelope {
  return {
    id: row.id,
    type: row.type as EventType,
    version: row.version,
    occurredAt: row.occurredAt.toISOString(),
    producer: row.producer,
    correlationId: row.correlationId,
    actorId: row.actorId,
    data: row.data as EventEnvelope['data'],
    ...(row.traceparent ? { traceparent: row.traceparent } : {}),
  };
}
