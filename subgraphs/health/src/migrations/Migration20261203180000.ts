import { Migration } from '@mikro-orm/migrations';

/** Every probe's result, for the latency and status charts (pruned past the retention). */
export class Migration20261203180000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "probe_sample" (
      "id" bigserial primary key,
      "service" text not null,
      "at" timestamptz not null,
      "status" text not null check ("status" in ('UP', 'DOWN')),
      "latency_ms" integer null
    )`);
    // Both the window reads (at >= since, every service) and the prune (at < cutoff) range on it.
    this.addSql(`create index "probe_sample_at_index" on "probe_sample" ("at")`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "probe_sample"');
  }
}
