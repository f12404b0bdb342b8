import { Migration } from '@mikro-orm/migrations';

/** The booking read model and payments (one live payment per booking). */
export class Migration20261122000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "booking_replica" (
      "id" uuid primary key,
      "user_id" uuid not null,
      "workspace_id" uuid not null,
      "workspace_name" text not null,
      "price_amount" integer not null check ("price_amount" >= 0),
      "price_currency" character(3) not null,
      "status" text not null,
      "starts_at" timestamptz not null,
      "ends_at" timestamptz not null,
      "last_event_at" timestamptz not null
    )`);
    this.addSql(`create type "payment_status" as enum ('PROCESSING', 'SUCCEEDED', 'FAILED', 'REFUNDED')`);
    this.addSql(`create table "payment" (
      "id" uuid primary key,
      "booking_id" uuid not null references "booking_replica" ("id"),
      "user_id" uuid not null,
      "status" "payment_status" not null,
      "amount_minor" integer not null check ("amount_minor" >= 0),
      "currency" character(3) not null,
      "last4" character(4) not null check ("last4" ~ '^[0-9]{4}$'),
      "card_ref" text not null,
      "provider_ref" text null,
      "refund_ref" text null,
      "failure_reason" text null,
      "attempts" integer not null default 0 check ("attempts" >= 0),
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      "succeeded_at" timestamptz null,
      "refunded_at" timestamptz null
    )`);
    // A booking is paid once: at most one payment in flight or succeeded, even under races.
    this.addSql(`create unique index "payment_booking_live_unique" on "payment" ("booking_id") where "status" in ('PROCESSING', 'SUCCEEDED')`);
    this.addSql(`create index "payment_booking_id_created_at_index" on "payment" ("booking_id", "created_at")`);
    // User.payments pages newest first by (created_at, id).
    this.addSql(`create index "payment_user_id_created_at_id_index" on "payment" ("user_id", "created_at", "id")`);
    // The sweeper looks for payments stuck in PROCESSING.
    this.addSql(`create index "payment_processing_updated_at_index" on "payment" ("updated_at") where "status" = 'PROCESSING'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "payment"');
    this.addSql('drop type if exists "payment_status"');
    this.addSql('drop table if exists "booking_replica"');
  }
}
