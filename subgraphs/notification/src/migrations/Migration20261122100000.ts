import { Migration } from '@mikro-orm/migrations';

/** Notifications, per-user channel preferences, and the replica of identity's users. */
export class Migration20261122100000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "notification_kind" as enum ('WELCOME', 'BOOKING_CONFIRMED', 'BOOKING_PAYMENT_FAILED', 'BOOKING_EXPIRED', 'BOOKING_CANCELLED', 'PAYMENT_RECEIVED', 'PAYMENT_REFUNDED')`);
    this.addSql(`create type "notification_channel" as enum ('EMAIL', 'SMS', 'IN_APP')`);
    this.addSql(`create type "notification_status" as enum ('PENDING', 'SENT', 'FAILED')`);
    this.addSql(`create table "notification" (
      "id" uuid primary key,
      "user_id" uuid not null,
      "kind" "notification_kind" not null,
      "channel" "notification_channel" not null,
      "status" "notification_status" not null,
      "title" text not null,
      "body" text not null,
      "html" text null,
      "address" text null,
      "event_id" uuid not null,
      "attempts" integer not null default 0 check ("attempts" >= 0),
      "failure_reason" text null,
      "read_at" timestamptz null,
      "sent_at" timestamptz null,
      "created_at" timestamptz not null,
      constraint "notification_event_channel_unique" unique ("event_id", "channel")
    )`);
    this.addSql(`create index "notification_user_list_index" on "notification" ("user_id", "channel", "created_at" desc, "id" desc)`);
    this.addSql(`create index "notification_unread_index" on "notification" ("user_id") where "read_at" is null and "channel" = 'IN_APP'`);
    this.addSql(`create index "notification_pending_index" on "notification" ("created_at") where "status" = 'PENDING'`);
    this.addSql(`create table "notification_preferences" (
      "user_id" uuid primary key,
      "email" boolean not null,
      "sms" boolean not null,
      "in_app" boolean not null,
      "phone" text null,
      "updated_at" timestamptz not null
    )`);
    this.addSql(`create table "recipient" (
      "id" uuid primary key,
      "email" text not null,
      "name" text not null,
      "updated_at" timestamptz not null
    )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "recipient"');
    this.addSql('drop table if exists "notification_preferences"');
    this.addSql('drop table if exists "notification"');
    this.addSql('drop type if exists "notification_status"');
    this.addSql('drop type if exists "notification_channel"');
    this.addSql('drop type if exists "notification_kind"');
  }
}
