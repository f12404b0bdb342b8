import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * What reporting knows of one payment, from payment.* events: when it succeeded and when
 * it was refunded, so revenue can be counted in the window where the money moved.
 */
@Entity({ tableName: 'payment_record' })
export class PaymentRecord {
  /** payment's id. */
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid', index: 'payment_record_booking_id_index' })
  bookingId!: string;

  @Property({ type: 'uuid' })
  userId!: string;

  /** The amount charged (or attempted), minor units. */
  @Property({ type: 'integer' })
  amount!: number;

  @Property({ type: 'character(3)', length: 3 })
  currency!: string;

  /** SUCCEEDED, FAILED or REFUNDED. */
  @Property({ type: 'text' })
  status!: string;

  @Property({ type: 'timestamptz', nullable: true })
  succeededAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  failedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  refundedAt?: Date | null;

  /** The amount refunded, minor units (a refund may be partial). */
  @Property({ type: 'integer', nullable: true })
  refundedAmount?: number | null;
}
