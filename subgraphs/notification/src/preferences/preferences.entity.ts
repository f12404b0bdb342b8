import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';

/** The defaults of a user who never changed anything: e-mail and in-app on, SMS off. */
export const DEFAULT_PREFERENCES = { email: true, sms: false, inApp: true, phone: null } as const;

/** Which channels a user wants notifications on; a row exists once they changed something. */
@ObjectType({ description: 'Which channels your notifications use.' })
@Entity({ tableName: 'notification_preferences' })
export class NotificationPreferences {
  [OptionalProps]?: 'email' | 'sms' | 'inApp' | 'phone' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  userId!: string;

  @Field()
  @Property({ type: 'boolean' })
  email: boolean = DEFAULT_PREFERENCES.email;

  @Field()
  @Property({ type: 'boolean' })
  sms: boolean = DEFAULT_PREFERENCES.sms;

  @Field()
  @Property({ type: 'boolean' })
  inApp: boolean = DEFAULT_PREFERENCES.inApp;

  @Field(() => String, { nullable: true, description: 'E.164, e.g. +33612345678: where SMS go.' })
  @Property({ type: 'text', nullable: true })
  phone: string | null = DEFAULT_PREFERENCES.phone;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
