import { Migration } from '@mikro-orm/migrations';

/**
 * reporting's read model: the activity log (one row per domain event, keyed by the event's
 * id), daily counters and revenue, and the booking and payment facts that workspace
 * statistics are computed from.
 */
export class Migration20261122000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "activity_log" (
      "id" uuid primary key,
      "action" text not null,
      "entity_type" text not null,
      "entity_id" text not null,
      "actor_id" uuid null,
      "correlation_id" text not null,
      "occurred_at" timestamptz not null,
      "producer" text not null,
      "summary" text not null,
      "data" jsonb not null,
      "recorded_at" timestamptz not null
    )`);
    // Newest first, keyset-paginated on (occurred_at, id), alone or behind one filter.
    this.addSql(`create index "activity_log_occurred_at_id_index" on "activity_log" ("occurred_at" desc, "id" desc)`);
    this.addSql(`create index "activity_log_actor_id_index" on "activity_log" ("actor_id", "occurred_at" desc, "id" desc)`);
    this.addSql(`create index "activity_log_correlation_id_index" on "activity_log" ("correlation_id", "occurred_at" desc, "id" desc)`);
    this.addSql(`create index "activity_log_entity_index" on "activity_log" ("entity_type", "entity_id", "occurred_at" desc, "id" desc)`);
    this.addSql(`create index "activity_log_action_index" on "activity_log" ("action", "occurred_at" desc, "id" desc)`);

    this.addSql(`create table "daily_stats" (
      "date" date primary key,
      "bookings" integer not null default 0,
      "cancellations" integer not null default 0,
      "confirmed" integer not null default 0,
      "new_users" integer not null default 0,
      "updated_at" timestamptz not null default now()
    )`);
    this.addSql(`create table "daily_revenue" (
      "date" date not null,
      "currency" character(3) not null,
      "amount" bigint not null default 0,
      primary key ("date", "currency")
    )`);

    this.addSql(`create table "booking_record" (
      "id" uuid primary key,
      "workspace_id" uuid not null,
      "user_id" uuid not null,
      "starts_at" timestamptz not null,
      "ends_at" timestamptz not null,
      "status" text not null,
      "price_amount" integer not null,
      "price_currency" character(3) not null,
      "status_at" timestamptz not null
    )`);
    this.addSql(`create index "booking_record_workspace_time_index" on "booking_record" ("workspace_id", "starts_at", "ends_at")`);

    this.addSql(`create table "payment_record" (
      "id" uuid primary key,
      "booking_id" uuid not null,
      "user_id" uuid not null,
      "amount" integer not null,
      "currency" character(3) not null,
      "status" text not null,
      "succeeded_at" timestamptz null,
      "failed_at" timestamptz null,
      "refunded_at" timestamptz null,
      "refunded_amount" integer null
    )`);
    this.addSql(`create index "payment_record_booking_id_index" on "payment_record" ("booking_id")`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "payment_record"');
    this.addSql('drop table if exists "booking_record"');
    this.addSql('drop table if exists "daily_revenue"');
    this.addSql('drop table if exists "daily_stats"');
    this.addSql('drop table if exists "activity_log"');
  }
}
