import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum NotificationKind {
  WELCOME = 'WELCOME',
  BOOKING_CONFIRMED = 'BOOKING_CONFIRMED',
  BOOKING_PAYMENT_FAILED = 'BOOKING_PAYMENT_FAILED',
  BOOKING_EXPIRED = 'BOOKING_EXPIRED',
  BOOKING_CANCELLED = 'BOOKING_CANCELLED',
  PAYMENT_RECEIVED = 'PAYMENT_RECEIVED',
  PAYMENT_REFUNDED = 'PAYMENT_REFUNDED',
  /** To admins: a monitored service stopped answering. */
  SERVICE_DOWN = 'SERVICE_DOWN',
  /** To admins: it answers again. */
  SERVICE_UP = 'SERVICE_UP',
}
registerEnumType(NotificationKind, { name: 'NotificationKind', description: 'What a notification is about.' });

export enum NotificationChannel {
  EMAIL = 'EMAIL',
  SMS = 'SMS',
  IN_APP = 'IN_APP',
}
registerEnumType(NotificationChannel, {
  name: 'NotificationChannel',
  description: 'How it reaches the user. IN_APP notifications are the inbox that `readAt` and the unread count are about.',
});

export enum NotificationStatus {
  PENDING = 'PENDING',
  SENT = 'SENT',
  FAILED = 'FAILED',
}
registerEnumType(NotificationStatus, {
  name: 'NotificationStatus',
  description: 'Delivery state: EMAIL and SMS start PENDING and are delivered by a retried job; IN_APP is SENT at once.',
});

/**
 * One message to one user on one channel, written by the event handler in the same
 * transaction that marks the event processed (so a redelivered event creates none), and
 * delivered — for EMAIL and SMS — by a BullMQ job keyed by its id. Content is rendered
 * when the event arrives, so a retry sends exactly what was first decided.
 */
@Directive('@key(fields: "id")')
// A user's own data: cached, if at all, for that user only, and briefly (invalidated by its events before that).
@Directive('@cacheControl(maxAge: 30, scope: PRIVATE)')
@ObjectType({ description: 'A message to a user: in the in-app inbox, or the record of an e-mail or SMS.' })
@Entity({ tableName: 'notification' })
@Unique({ name: 'notification_event_user_channel_unique', properties: ['eventId', 'userId', 'channel'] })
@Index({
  name: 'notification_user_list_index',
  expression: 'create index "notification_user_list_index" on "notification" ("user_id", "channel", "created_at" desc, "id" desc)',
})
@Index({
  name: 'notification_unread_index',
  expression: `create index "notification_unread_index" on "notification" ("user_id") where "read_at" is null and "channel" = 'IN_APP'`,
})
@Index({
  name: 'notification_pending_index',
  expression: `create index "notification_pending_index" on "notification" ("created_at") where "status" = 'PENDING'`,
})
export class Notification {
  [OptionalProps]?: 'id' | 'createdAt' | 'attempts' | 'readAt' | 'sentAt' | 'failureReason' | 'html' | 'address';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** identity's user it is for (resolved as `user` by NotificationResolver). */
  @Property({ type: 'uuid' })
  userId!: string;

  @Field(() => NotificationKind)
  @Enum({ items: () => NotificationKind, nativeEnumName: 'notification_kind' })
  kind!: NotificationKind;

  @Field(() => NotificationChannel)
  @Enum({ items: () => NotificationChannel, nativeEnumName: 'notification_channel' })
  channel!: NotificationChannel;

  @Field(() => NotificationStatus)
  @Enum({ items: () => NotificationStatus, nativeEnumName: 'notification_status' })
  status!: NotificationStatus;

  @Field({ description: 'The headline; the subject of an e-mail.' })
  @Property({ type: 'text' })
  title!: string;

  @Field({ description: 'Plain text: a short message in the inbox and by SMS, the whole text of an e-mail.' })
  @Property({ type: 'text' })
  body!: string;

  /** The HTML alternative of an e-mail. */
  @Property({ type: 'text', nullable: true, lazy: true })
  html: string | null = null;

  /** The e-mail address or phone number it went to, once sent. */
  @Property({ type: 'text', nullable: true })
  address: string | null = null;

  /** The domain event that caused it: with the user and `channel`, unique. */
  @Property({ type: 'uuid' })
  eventId!: string;

  @Field(() => Int, { description: 'Delivery attempts made so far (EMAIL and SMS).' })
  @Property({ type: 'integer' })
  attempts: number = 0;

  @Field(() => String, { nullable: true, description: 'Why delivery failed (the last error while retrying).' })
  @Property({ type: 'text', nullable: true })
  failureReason: string | null = null;

  @Field(() => Date, { nullable: true, description: 'When the user marked it read; null while unread.' })
  @Property({ type: 'timestamptz', nullable: true })
  readAt: Date | null = null;

  @Field(() => Date, { nullable: true, description: 'When it was delivered.' })
  @Property({ type: 'timestamptz', nullable: true })
  sentAt: Date | null = null;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
