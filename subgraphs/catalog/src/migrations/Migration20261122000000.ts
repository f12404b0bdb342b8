import { Migration } from '@mikro-orm/migrations';

/** Locations and workspaces. */
export class Migration20261122000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "location" (
      "id" uuid primary key,
      "name" text not null,
      "city" text not null,
      "address" text not null,
      "timezone" text not null,
      "created_at" timestamptz not null
    )`);
    this.addSql(`create type "workspace_kind" as enum ('DESK', 'MEETING_ROOM', 'PRIVATE_OFFICE', 'HOTEL_ROOM')`);
    this.addSql(`create table "workspace" (
      "id" uuid primary key,
      "location_id" uuid not null references "location" ("id") on update cascade,
      "name" text not null,
      "description" text not null,
      "kind" "workspace_kind" not null,
      "capacity" integer not null check ("capacity" > 0),
      "hourly_rate_amount" integer not null check ("hourly_rate_amount" >= 0),
      "hourly_rate_currency" character(3) not null,
      "amenities" text[] not null,
      "active" boolean not null,
      "created_by_id" uuid not null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    )`);
    this.addSql(`create index "workspace_location_id_index" on "workspace" ("location_id")`);
    this.addSql(`create index "workspace_name_id_index" on "workspace" ("name", "id")`);
    this.addSql(`create index "workspace_amenities_index" on "workspace" using gin ("amenities")`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "workspace"');
    this.addSql('drop type if exists "workspace_kind"');
    this.addSql('drop table if exists "location"');
  }
}
