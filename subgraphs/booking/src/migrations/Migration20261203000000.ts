import { Migration } from '@mikro-orm/migrations';

/** When payment announced it is charging a held booking (payment.started): the hold then waits for the outcome. */
export class Migration20261203000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "booking" add column "payment_started_at" timestamptz null`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "booking" drop column "payment_started_at"`);
  }
}
