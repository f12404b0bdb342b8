import { Migration } from '@mikro-orm/migrations';

/** The monitor's tables: each service's last state, the history of changes, and incidents. */
export class Migration20261122100000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "service_status" (
      "name" text primary key,
      "status" text not null check ("status" in ('UP', 'DOWN', 'UNKNOWN')),
      "latency_ms" integer null,
      "checked_at" timestamptz not null,
      "changed_at" timestamptz not null,
      "reason" text null
    )`);

    this.addSql(`create table "status_change" (
      "id" uuid primary key,
      "service" text not null,
      "from_status" text not null,
      "to_status" text not null,
      "at" timestamptz not null,
      "latency_ms" integer null,
      "reason" text null
    )`);
    this.addSql(`create index "status_change_service_at_index" on "status_change" ("service", "at" desc)`);

    this.addSql(`create table "incident" (
      "id" uuid primary key,
      "service" text not null,
      "started_at" timestamptz not null,
      "resolved_at" timestamptz null,
      "duration_ms" bigint null,
      "reason" text null
    )`);
    // At most one open incident per service, whatever the number of pollers.
    this.addSql(`create unique index "incident_open_service_unique" on "incident" ("service") where "resolved_at" is null`);
    // Newest first, keyset-paginated on (started_at, id).
    this.addSql(`create index "incident_started_at_id_index" on "incident" ("started_at" desc, "id" desc)`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "incident"');
    this.addSql('drop table if exists "status_change"');
    this.addSql('drop table if exists "service_status"');
  }
}
