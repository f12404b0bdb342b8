import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A domain event waiting to be published, written in the same transaction as the change
 * that caused it (the transactional outbox). The relay publishes it to the Redis Stream
 * and stamps `publishedAt`; relayed rows are kept for EVENTS_RETAIN, in case Redis loses
 * the stream and they must be relayed again.
 */
@Entity({ tableName: 'outbox_event' })
@Index({ name: 'outbox_event_occurred_at_id_index', properties: ['occurredAt', 'id'] })
@Index({ name: 'outbox_event_unpublished_index', expression: 'create index "outbox_event_unpublished_index" on "outbox_event" ("occurred_at", "id") where "published_at" is null' })
export class OutboxEvent {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  type!: string;

  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'text' })
  producer!: string;

  @Property({ type: 'text' })
  correlationId!: string;

  @Property({ type: 'uuid', nullable: true })
  actorId!: string | null;

  @Property({ type: 'jsonb' })
  data!: object;

  @Property({ type: 'timestamptz' })
  occurredAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  publishedAt: Date | null = null;

  /**
   * The W3C `traceparent` of the span that recorded it, when the service traces (telemetry.ts):
   * the relay's publish and every consumer's handling continue that trace.
   */
  @Property({ type: 'text', nullable: true })
  traceparent: string | null = null;

  /** The Redis Stream entry id it was published as. */
  @Property({ type: 'text', nullable: true })
  streamId: string | null = null;
}

/** Events a consumer group has handled: written in the handler's own transaction. */
@Entity({ tableName: 'processed_event' })
export class ProcessedEvent {
  @PrimaryKey({ type: 'uuid' })
  eventId!: string;

  @PrimaryKey({ type: 'text' })
  consumer!: string;

  @Property({ type: 'timestamptz' })
  processedAt!: Date;
}
