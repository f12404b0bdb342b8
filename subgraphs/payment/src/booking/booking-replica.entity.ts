import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** Booking statuses payment acts on (booking owns the full list). */
export const BookingStatus = {
  PENDING_PAYMENT: 'PENDING_PAYMENT',
  CONFIRMED: 'CONFIRMED',
  PAYMENT_FAILED: 'PAYMENT_FAILED',
  EXPIRED: 'EXPIRED',
  CANCELLED: 'CANCELLED',
  COMPLETED: 'COMPLETED',
} as const;

/** Bookings that can no longer be paid for: a payment that succeeds for one is refunded. */
export const DEAD_BOOKING_STATUSES: readonly string[] = [BookingStatus.PAYMENT_FAILED, BookingStatus.EXPIRED, BookingStatus.CANCELLED];

/**
 * What payment knows of a booking, kept from booking's events (never from booking's
 * database): enough to price a payment, check its owner and status, and refund it.
 */
@Entity({ tableName: 'booking_replica' })
export class BookingReplica {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  userId!: string;

  @Property({ type: 'uuid' })
  workspaceId!: string;

  @Property({ type: 'text' })
  workspaceName!: string;

  @Property({ type: 'integer' })
  priceAmount!: number;

  @Property({ type: 'character(3)', length: 3 })
  priceCurrency!: string;

  @Property({ type: 'text' })
  status!: string;

  @Property({ type: 'timestamptz' })
  startsAt!: Date;

  @Property({ type: 'timestamptz' })
  endsAt!: Date;

  /** `occurredAt` of the newest event applied: an older event arriving late changes nothing. */
  @Property({ type: 'timestamptz' })
  lastEventAt!: Date;
}
