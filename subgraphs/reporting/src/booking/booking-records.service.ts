import type { BookingSnapshot, EntityManager, EventType, PaymentSnapshot } from '@atrium/kit/subgraph';

/** The status each booking event leaves a booking in. */
const BOOKING_STATUS: Partial<Record<EventType, string>> = {
  'booking.created': 'PENDING_PAYMENT',
  'booking.confirmed': 'CONFIRMED',
  'booking.payment_failed': 'PAYMENT_FAILED',
  'booking.expired': 'EXPIRED',
  'booking.cancelled': 'CANCELLED',
  'booking.completed': 'COMPLETED',
};

/**
 * Keeps `booking_record` and `payment_record` in step with booking.* and payment.* events.
 * Every write is an upsert, so events may arrive in any order and a replay converges.
 */
export class BookingRecordsService {
  constructor(private readonly em: EntityManager) {}

  /** Records a booking's times, price and status, unless a later event already set its status. */
  async applyBooking(type: EventType, booking: BookingSnapshot, occurredAt: Date): Promise<void> {
    const status = BOOKING_STATUS[type] ?? booking.status;
    await this.em.execute(
      `insert into "booking_record" ("id", "workspace_id", "user_id", "starts_at", "ends_at", "status", "price_amount", "price_currency", "status_at")
       values (?, ?, ?, ?::timestamptz, ?::timestamptz, ?, ?, ?, ?::timestamptz)
       on conflict ("id") do update set
         "workspace_id" = excluded."workspace_id", "user_id" = excluded."user_id",
         "starts_at" = excluded."starts_at", "ends_at" = excluded."ends_at",
         "price_amount" = excluded."price_amount", "price_currency" = excluded."price_currency",
         "status" = excluded."status", "status_at" = excluded."status_at"
       where "booking_record"."status_at" <= excluded."status_at"`,
      [
        booking.bookingId,
        booking.workspaceId,
        booking.userId,
        booking.startsAt,
        booking.endsAt,
        status,
        booking.price.amount,
        booking.price.currency,
        occurredAt.toISOString(),
      ],
    );
  }

  /** Records when a payment succeeded, failed or was refunded (and the amounts). */
  async applyPayment(type: EventType, payment: PaymentSnapshot, occurredAt: Date): Promise<void> {
    const at = occurredAt.toISOString();
    const base = [payment.paymentId, payment.bookingId, payment.userId, payment.amount.amount, payment.amount.currency];
    const insert = `insert into "payment_record" ("id", "booking_id", "user_id", "amount", "currency", "status", "succeeded_at", "failed_at", "refunded_at", "refunded_amount")
       values (?, ?, ?, ?, ?, ?, ?::timestamptz, ?::timestamptz, ?::timestamptz, ?)`;
    if (type === 'payment.succeeded') {
      await this.em.execute(
        `${insert} on conflict ("id") do update set "succeeded_at" = excluded."succeeded_at", "amount" = excluded."amount",
           "currency" = excluded."currency",
           "status" = case when "payment_record"."refunded_at" is null then 'SUCCEEDED' else "payment_record"."status" end`,
        [...base, 'SUCCEEDED', at, null, null, null],
      );
    } else if (type === 'payment.failed') {
      await this.em.execute(
        `${insert} on conflict ("id") do update set "failed_at" = excluded."failed_at",
           "status" = case when "payment_record"."succeeded_at" is null and "payment_record"."refunded_at" is null then 'FAILED' else "payment_record"."status" end`,
        [...base, 'FAILED', null, at, null, null],
      );
    } else if (type === 'payment.refunded') {
      await this.em.execute(
        `${insert} on conflict ("id") do update set "refunded_at" = excluded."refunded_at",
           "refunded_amount" = excluded."refunded_amount", "status" = 'REFUNDED'`,
        [...base, 'REFUNDED', null, null, at, payment.amount.amount],
      );
    }
  }
}
