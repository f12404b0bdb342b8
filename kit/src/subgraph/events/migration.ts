import { Migration } from '@mikro-orm/migrations';
import type { MigrationObject } from '@mikro-orm/core';

/** The outbox and processed-event tables every subgraph has (prepended by createSubgraph). */
class KitEventsMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists "outbox_event" (
      "id" uuid primary key,
      "type" text not null,
      "version" integer not null,
      "producer" text not null,
      "correlation_id" text not null,
      "actor_id" uuid null,
      "data" jsonb not null,
      "occurred_at" timestamptz not null,
      "published_at" timestamptz null,
      "stream_id" text null
    )`);
    this.addSql(`create index if not exists "outbox_event_unpublished_index" on "outbox_event" ("occurred_at", "id") where "published_at" is null`);
    this.addSql(`create table if not exists "processed_event" (
      "event_id" uuid not null,
      "consumer" text not null,
      "processed_at" timestamptz not null,
      primary key ("event_id", "consumer")
    )`);
  }
}

/**
 * Relayed rows are kept for EVENTS_RETAIN (to be relayed again if Redis loses the stream):
 * the relay finds its newest relayed row and prunes the oldest through this index.
 */
class KitOutboxRetentionMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index if not exists "outbox_event_occurred_at_id_index" on "outbox_event" ("occurred_at", "id")`);
  }
}

/** The trace an event continues (telemetry.ts): null when the service that recorded it did not trace. */
class KitOutboxTraceparentMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "outbox_event" add column if not exists "traceparent" text null`);
  }
}

export const kitMigrations: MigrationObject[] = [
  { name: 'Migration00000000000000_kit_events', class: KitEventsMigration },
  { name: 'Migration00000000000001_kit_outbox_retention', class: KitOutboxRetentionMigration },
  { name: 'Migration00000000000002_kit_outbox_traceparent', class: KitOutboxTraceparentMigration },
];
