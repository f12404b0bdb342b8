import type { BookingSnapshot, EventEnvelope, EventHandlers, HandlerContext } from '@atrium/kit/subgraph';
import { enqueueRefund } from '../payment/charging';
import { Payment, PaymentStatus } from '../payment/payment.entity';
import { BookingStatus } from './booking-replica.entity';

type BookingEventType = 'booking.created' | 'booking.confirmed' | 'booking.payment_failed' | 'booking.expired' | 'booking.cancelled' | 'booking.completed';

/** The status each event leaves a booking in, when its snapshot does not say. */
const STATUS_AFTER: Record<BookingEventType, string> = {
  'booking.created': BookingStatus.PENDING_PAYMENT,
  'booking.confirmed': BookingStatus.CONFIRMED,
  'booking.payment_failed': BookingStatus.PAYMENT_FAILED,
  'booking.expired': BookingStatus.EXPIRED,
  'booking.cancelled': BookingStatus.CANCELLED,
  'booking.completed': BookingStatus.COMPLETED,
};

/**
 * Keeps the booking replica from an event: an upsert from the full snapshot every booking
 * event carries, so events may arrive in any order; one older than what the row already
 * reflects changes nothing. The upsert locks the row (see `recordChargeAttempt`).
 */
async function applyBooking(event: EventEnvelope<BookingEventType>, em: HandlerContext['em']) {
  const d: BookingSnapshot = event.data;
  await em.execute(
    `insert into booking_replica (id, user_id, workspace_id, workspace_name, price_amount, price_currency, status, starts_at, ends_at, last_event_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (id) do update set
       user_id = excluded.user_id, workspace_id = excluded.workspace_id, workspace_name = excluded.workspace_name,
       price_amount = excluded.price_amount, price_currency = excluded.price_currency, status = excluded.status,
       starts_at = excluded.starts_at, ends_at = excluded.ends_at, last_event_at = excluded.last_event_at
     where booking_replica.last_event_at <= excluded.last_event_at`,
    [
      d.bookingId,
      d.userId,
      d.workspaceId,
      d.workspaceName,
      d.price.amount,
      d.price.currency,
      d.status || STATUS_AFTER[event.type],
      d.startsAt,
      d.endsAt,
      event.occurredAt,
    ],
  );
}

/**
 * A booking that can no longer be used (cancelled, expired, failed) must not keep anyone's
 * money: each of its SUCCEEDED payments gets a refund job. `refund:<paymentId>` and the
 * job's status check make that once only, however often the event comes.
 */
async function refundIfPaid(event: EventEnvelope<BookingEventType>, { em, jobs, log }: HandlerContext) {
  const paid = await em.find(Payment, { bookingId: event.data.bookingId, status: PaymentStatus.SUCCEEDED });
  for (const payment of paid) {
    await enqueueRefund(jobs, { paymentId: payment.id, correlationId: event.correlationId, actorId: event.actorId });
    log.info({ paymentId: payment.id, bookingId: payment.bookingId }, 'refund queued');
  }
}

const keep = async (event: EventEnvelope<BookingEventType>, ctx: HandlerContext) => applyBooking(event, ctx.em);
const keepAndRefund = async (event: EventEnvelope<BookingEventType>, ctx: HandlerContext) => {
  await applyBooking(event, ctx.em);
  await refundIfPaid(event, ctx);
};

/** payment's consumer: every booking event feeds the replica; the end of a booking refunds it. */
export const bookingHandlers: EventHandlers = {
  'booking.created': keep,
  'booking.confirmed': keep,
  'booking.completed': keep,
  'booking.payment_failed': keepAndRefund,
  'booking.expired': keepAndRefund,
  'booking.cancelled': keepAndRefund,
};
