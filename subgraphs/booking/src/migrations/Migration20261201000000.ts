import { Migration } from '@mikro-orm/migrations';

/** Bookings (no double booking by an exclusion constraint) and the replica of catalog's workspaces. */
export class Migration20261201000000 extends Migration {
  override async up(): Promise<void> {
    // btree_gist lets one gist index compare the uuid (with =) and the time range (with &&).
    this.addSql(`create extension if not exists btree_gist`);

    this.addSql(`create table "workspace_replica" (
      "id" uuid primary key,
      "location_id" uuid not null,
      "name" text not null,
      "kind" text not null,
      "capacity" integer not null,
      "hourly_rate_amount" integer not null,
      "hourly_rate_currency" character(3) not null,
      "active" boolean not null,
      "city" text not null,
      "timezone" text not null,
      "source_occurred_at" timestamptz not null,
      "updated_at" timestamptz not null,
      constraint "workspace_replica_hourly_rate_amount_check" check ("hourly_rate_amount" >= 0)
    )`);

    this.addSql(`create type "booking_status" as enum ('PENDING_PAYMENT', 'CONFIRMED', 'PAYMENT_FAILED', 'EXPIRED', 'CANCELLED', 'COMPLETED')`);
    this.addSql(`create table "booking" (
      "id" uuid primary key,
      "user_id" uuid not null,
      "workspace_id" uuid not null,
      "workspace_name" text not null,
      "status" "booking_status" not null default 'PENDING_PAYMENT',
      "starts_at" timestamptz not null,
      "ends_at" timestamptz not null,
      "price_amount" integer not null,
      "price_currency" character(3) not null,
      "idempotency_key" text null,
      "expires_at" timestamptz not null,
      "confirmed_at" timestamptz null,
      "cancelled_at" timestamptz null,
      "cancel_reason" text null,
      "failure_reason" text null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      constraint "booking_range_check" check ("starts_at" < "ends_at"),
      constraint "booking_price_amount_check" check ("price_amount" >= 0)
    )`);
    // No double booking: two live bookings of one workspace may not overlap. '[)' ranges,
    // so [10:00, 11:00) and [11:00, 12:00) touch without overlapping.
    this.addSql(`alter table "booking" add constraint "booking_no_overlap" exclude using gist (
      "workspace_id" with =,
      tstzrange("starts_at", "ends_at", '[)') with &&
    ) where ("status" in ('PENDING_PAYMENT', 'CONFIRMED'))`);
    this.addSql(`create unique index "booking_user_idempotency_key_unique" on "booking" ("user_id", "idempotency_key") where "idempotency_key" is not null`);
    // User.bookings / Workspace.bookings: keyset pages ordered by (starts_at desc, id desc).
    this.addSql(`create index "booking_user_id_starts_at_index" on "booking" ("user_id", "starts_at" desc, "id" desc)`);
    this.addSql(`create index "booking_workspace_id_starts_at_index" on "booking" ("workspace_id", "starts_at" desc, "id" desc)`);
    // The sweep's lookups of overdue holds and finished bookings.
    this.addSql(`create index "booking_pending_expires_at_index" on "booking" ("expires_at") where "status" = 'PENDING_PAYMENT'`);
    this.addSql(`create index "booking_confirmed_ends_at_index" on "booking" ("ends_at") where "status" = 'CONFIRMED'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "booking"');
    this.addSql('drop type if exists "booking_status"');
    this.addSql('drop table if exists "workspace_replica"');
  }
}
