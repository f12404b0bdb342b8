import { Money } from '@atrium/kit/subgraph';
import { Check, Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum BookingStatus {
  PENDING_PAYMENT = 'PENDING_PAYMENT',
  CONFIRMED = 'CONFIRMED',
  PAYMENT_FAILED = 'PAYMENT_FAILED',
  EXPIRED = 'EXPIRED',
  CANCELLED = 'CANCELLED',
  COMPLETED = 'COMPLETED',
}
registerEnumType(BookingStatus, {
  name: 'BookingStatus',
  description: 'PENDING_PAYMENT holds the slot until paid or expired; CONFIRMED is paid; the others are final.',
});

/** Statuses that occupy the slot: the exclusion constraint only compares these. */
export const LIVE_STATUSES = [BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED] as const;

/** The constraint that makes double booking impossible, whatever the code above it does. */
export const NO_OVERLAP_CONSTRAINT = 'booking_no_overlap';
/** A user's idempotency keys are unique: a retried createBooking finds the first booking. */
export const IDEMPOTENCY_INDEX = 'booking_user_idempotency_key_unique';

/**
 * A reservation of one workspace for [startsAt, endsAt). The constraints live in the
 * hand-written migration; they are declared here too (by name, with their SQL) so that
 * MikroORM's schema diff knows them and never proposes to drop them.
 */
@Directive('@key(fields: "id")')
// A user's own data: cached, if at all, for that user only, and briefly (invalidated by its events before that).
@Directive('@cacheControl(maxAge: 30, scope: PRIVATE)')
@ObjectType({ description: 'A reservation of a workspace for a time range.' })
@Entity({ tableName: 'booking' })
@Check({ name: 'booking_range_check', expression: '"starts_at" < "ends_at"' })
@Check({ name: 'booking_price_amount_check', expression: '"price_amount" >= 0' })
@Index({
  name: NO_OVERLAP_CONSTRAINT,
  expression: `alter table "booking" add constraint "${NO_OVERLAP_CONSTRAINT}" exclude using gist ("workspace_id" with =, tstzrange("starts_at", "ends_at", '[)') with &&) where ("status" in ('PENDING_PAYMENT', 'CONFIRMED'))`,
})
@Unique({
  name: IDEMPOTENCY_INDEX,
  expression: `create unique index "${IDEMPOTENCY_INDEX}" on "booking" ("user_id", "idempotency_key") where "idempotency_key" is not null`,
})
@Index({
  name: 'booking_user_id_starts_at_index',
  expression: 'create index "booking_user_id_starts_at_index" on "booking" ("user_id", "starts_at" desc, "id" desc)',
})
@Index({
  name: 'booking_workspace_id_starts_at_index',
  expression: 'create index "booking_workspace_id_starts_at_index" on "booking" ("workspace_id", "starts_at" desc, "id" desc)',
})
@Index({
  name: 'booking_pending_expires_at_index',
  expression: `create index "booking_pending_expires_at_index" on "booking" ("expires_at") where "status" = 'PENDING_PAYMENT'`,
})
@Index({
  name: 'booking_confirmed_ends_at_index',
  expression: `create index "booking_confirmed_ends_at_index" on "booking" ("ends_at") where "status" = 'CONFIRMED'`,
})
@Index({
  name: 'booking_updated_at_index',
  expression: 'create index "booking_updated_at_index" on "booking" ("updated_at" desc, "id" desc)',
})
export class Booking {
  [OptionalProps]?:
    | 'id'
    | 'status'
    | 'idempotencyKey'
    | 'confirmedAt'
    | 'cancelledAt'
    | 'cancelReason'
    | 'failureReason'
    | 'paymentStartedAt'
    | 'createdAt'
    | 'updatedAt'
    | 'price';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** The identity user who booked (the caller of createBooking). */
  @Property({ type: 'uuid' })
  userId!: string;

  /** The catalog workspace booked. */
  @Property({ type: 'uuid' })
  workspaceId!: string;

  /** The workspace's name when booked (from the replica), carried in every event. */
  @Property({ type: 'text' })
  workspaceName!: string;

  @Field(() => BookingStatus)
  @Enum({ items: () => BookingStatus, nativeEnumName: 'booking_status' })
  status: BookingStatus = BookingStatus.PENDING_PAYMENT;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  startsAt!: Date;

  @Field(() => Date, { description: 'Exclusive: a booking ending at 11:00 and one starting at 11:00 do not overlap.' })
  @Property({ type: 'timestamptz' })
  endsAt!: Date;

  @Property({ type: 'integer' })
  priceAmount!: number;

  @Property({ type: 'character(3)', length: 3 })
  priceCurrency!: string;

  @Property({ type: 'text', nullable: true })
  idempotencyKey: string | null = null;

  @Field(() => Date, { description: 'When the unpaid hold expires and frees the slot.' })
  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  confirmedAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  cancelledAt: Date | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  cancelReason: string | null = null;

  @Field(() => String, { nullable: true, description: 'Why the payment failed (PAYMENT_FAILED only).' })
  @Property({ type: 'text', nullable: true })
  failureReason: string | null = null;

  /**
   * When payment said it is charging this hold (payment.started): from then on the hold
   * does not expire — it waits for payment.succeeded or payment.failed — so a booking
   * whose payment succeeds is never expired for being slow.
   */
  @Property({ type: 'timestamptz', nullable: true })
  paymentStartedAt: Date | null = null;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Field(() => Money, { description: 'Hourly rate × duration, prorated per minute, in the currency of the workspace.' })
  get price(): Money {
    return { amount: this.priceAmount, currency: this.priceCurrency };
  }
}
