import { Migration } from '@mikro-orm/migrations';

/**
 * Service alerts for admins: recipients carry their roles (from identity's events), one
 * event may now notify several users (one row per user and channel), and two new kinds.
 */
export class Migration20261122200000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "recipient" add column "roles" text[] not null default '{}'`);
    this.addSql(`alter table "notification" drop constraint "notification_event_channel_unique"`);
    this.addSql(`alter table "notification" add constraint "notification_event_user_channel_unique" unique ("event_id", "user_id", "channel")`);
    this.addSql(`alter type "notification_kind" add value if not exists 'SERVICE_DOWN'`);
    this.addSql(`alter type "notification_kind" add value if not exists 'SERVICE_UP'`);
  }
}
