import { Migration } from '@mikro-orm/migrations';

/** `recentBookings`: the bookings that changed last, newest first, without sorting the table. */
export class Migration20261203181000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "booking_updated_at_index" on "booking" ("updated_at" desc, "id" desc)`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "booking_updated_at_index"`);
  }
}
