import { Entity, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Authenticated, Money } from '@atrium/kit/subgraph';
import { randomUUID } from 'node:crypto';
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum PaymentStatus {
  /** Being charged: the first attempt failed transiently and a retry is scheduled. */
  PROCESSING = 'PROCESSING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  REFUNDED = 'REFUNDED',
}
registerEnumType(PaymentStatus, { name: 'PaymentStatus' });

/**
 * One attempt to pay a booking. It holds the last four digits of the card and the
 * provider's references, never the card number or CVC. At most one payment per booking is
 * PROCESSING or SUCCEEDED at a time (a partial unique index).
 */
@Authenticated()
@Directive('@key(fields: "id")')
// A user's own data: cached, if at all, for that user only, and briefly (invalidated by its events before that).
@Directive('@cacheControl(maxAge: 30, scope: PRIVATE)')
@ObjectType({ description: 'A payment for a booking: visible to its payer and to callers with bookings:read.' })
@Entity({ tableName: 'payment' })
export class Payment {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'attempts' | 'amount';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  bookingId!: string;

  /** The payer: the booking's owner. */
  @Property({ type: 'uuid' })
  userId!: string;

  @Field(() => PaymentStatus)
  @Enum({ items: () => PaymentStatus, nativeEnumName: 'payment_status' })
  status!: PaymentStatus;

  @Property({ type: 'integer' })
  amountMinor!: number;

  @Property({ type: 'character(3)', length: 3 })
  currency!: string;

  @Field({ description: 'The last four digits of the card' })
  @Property({ type: 'character(4)', length: 4 })
  last4!: string;

  /** The provider's reference to the saved card (what a retry charges). */
  @Property({ type: 'text' })
  cardRef!: string;

  /** The provider's reference to the charge, once it succeeded. */
  @Property({ type: 'text', nullable: true })
  providerRef: string | null = null;

  /** The provider's reference to the refund, once refunded. */
  @Property({ type: 'text', nullable: true })
  refundRef: string | null = null;

  @Field(() => String, { nullable: true, description: 'Why the payment failed, when it did' })
  @Property({ type: 'text', nullable: true })
  failureReason: string | null = null;

  @Field(() => Int, { description: 'Charge attempts made with the provider' })
  @Property({ type: 'integer' })
  attempts: number = 0;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'When the charge succeeded' })
  @Property({ type: 'timestamptz', nullable: true })
  succeededAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  refundedAt: Date | null = null;

  @Field(() => Money)
  get amount(): Money {
    return { amount: this.amountMinor, currency: this.currency };
  }
}
