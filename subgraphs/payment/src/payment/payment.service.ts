import { AppError, badInput, conflict, ErrorCode, forbidden, hasScope, notFound, Scope, type Caller, isUuid } from '@atrium/kit';
import { checkCursor, loader, toConnection, type Connection, type Context, type PageArgs, findPage } from '@atrium/kit/subgraph';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { BookingReplica, BookingStatus } from '../booking/booking-replica.entity';
import type { PaymentProvider } from '../provider';
import { validateCard } from './card';
import { chargeOnce, enqueueCharge, enqueueRefund, recordChargeAttempt, snapshot, type PaymentJobData } from './charging';
import { Payment, PaymentStatus } from './payment.entity';
import type { PayForBookingInput } from './payment.input';


/** How often payForBooking looks again for a booking whose event has not arrived yet. */
const BOOKING_POLL_MS = 50;

export interface PaymentDeps {
  provider: PaymentProvider;
  /** How long to wait for a booking missing from the replica (PAYMENT_BOOKING_WAIT_MS). */
  bookingWaitMs: number;
}

/** The row rule: a member sees their own payments; `bookings:read` sees all. */
export const canSee = (caller: Caller | null, payment: Payment) =>
  !!caller && (payment.userId === caller.userId || hasScope(caller, Scope.BOOKINGS_READ));

const LIVE = [PaymentStatus.PROCESSING, PaymentStatus.SUCCEEDED];

/** Payment rules for one request: paying a booking, and who may read which payment. */
export class PaymentService {
  constructor(
    private readonly ctx: Context,
    private readonly deps: PaymentDeps,
  ) {}

  /**
   * Pays a booking with a card: validates the card, finds the booking (waiting briefly for
   * its event), checks owner and status, saves the PROCESSING payment with
   * `payment.started` (the unique index makes a concurrent second payment a CONFLICT),
   * charges once and records the outcome with its event. A decline is committed, then
   * thrown as PAYMENT_DECLINED; a transient failure returns the PROCESSING payment and
   * leaves the retries to the `charge` job. A crash after saving leaves a PROCESSING
   * payment with no job: the `reconcile` job queues its charge within seconds.
   */
  async pay(input: PayForBookingInput): Promise<Payment> {
    const { em, events, jobs, log } = this.ctx;
    const caller = this.ctx.caller!;
    const card = validateCard(input.card);
    const booking = await this.waitForBooking(input.bookingId);
    if (!booking) throw notFound('Booking', input.bookingId);
    if (booking.userId !== caller.userId) throw forbidden('Only the owner of a booking may pay for it');

    const earlier = await em.find(Payment, { bookingId: booking.id });
    if (earlier.some((p) => p.status === PaymentStatus.SUCCEEDED)) throw alreadyPaid(booking.id);
    if (earlier.some((p) => p.status === PaymentStatus.PROCESSING)) throw conflict(`Booking ${booking.id} is already paid: its payment is processing`);
    // A declined or failed payment fails the booking; the replica may not know yet.
    const status = earlier.some((p) => p.status === PaymentStatus.FAILED) ? BookingStatus.PAYMENT_FAILED : booking.status;
    if (status !== BookingStatus.PENDING_PAYMENT) throw badInput('input.bookingId', `booking is ${status}`);

    let cardRef: string;
    try {
      cardRef = await this.deps.provider.saveCard(card);
    } catch (err) {
      log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'the payment provider could not save a card');
      throw new AppError(ErrorCode.SUBGRAPH_UNAVAILABLE, 'The payment provider is unavailable; try again shortly');
    }
    const payment = em.create(Payment, {
      bookingId: booking.id,
      userId: caller.userId,
      status: PaymentStatus.PROCESSING,
      amountMinor: booking.priceAmount,
      currency: booking.priceCurrency.trim(),
      last4: card.number.slice(-4),
      cardRef,
    });
    // In the same transaction: booking keeps the hold while this payment is being charged.
    events.record('payment.started', snapshot(payment));
    try {
      await em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw alreadyPaid(booking.id);
      throw err;
    }

    const outcome = await recordChargeAttempt(em.fork(), events, payment.id, await chargeOnce(this.deps.provider, payment), { final: false });
    const job: PaymentJobData = { paymentId: payment.id, correlationId: this.ctx.requestId, actorId: caller.userId };
    const settled = outcome.payment;
    if (outcome.refund) await this.enqueue(() => enqueueRefund(jobs, job), 'refund');
    if (settled.status === PaymentStatus.PROCESSING) {
      // If Redis refuses the job, the sweeper finishes the payment: the client still gets it.
      await this.enqueue(() => enqueueCharge(jobs, job), 'charge retry');
      log.info({ paymentId: settled.id, bookingId: booking.id }, 'charge failed transiently; retrying in the background');
    } else if (settled.status === PaymentStatus.FAILED) {
      throw new AppError(ErrorCode.PAYMENT_DECLINED, `Payment declined: ${settled.failureReason}`, {
        paymentId: settled.id,
        reason: settled.failureReason,
      });
    }
    return settled;
  }

  /** A payment by id, for its payer or a caller with bookings:read (FORBIDDEN for anyone else). */
  async get(id: string): Promise<Payment | null> {
    if (!isUuid(id)) throw badInput('id', 'must be a UUID');
    const payment = await this.ctx.em.findOne(Payment, { id });
    if (payment && !canSee(this.ctx.caller, payment)) throw forbidden('Only the payer or a caller with bookings:read may see a payment');
    return payment;
  }

  /** For `__resolveReference`: the payments of `ids` the caller may see (others resolve to null). */
  async visibleByIds(ids: readonly string[]): Promise<Payment[]> {
    const valid = ids.filter(isUuid);
    if (!valid.length || !this.ctx.caller) return [];
    const rows = await this.ctx.em.find(Payment, { id: valid });
    return rows.filter((p) => canSee(this.ctx.caller, p));
  }

  /**
   * The payment of a booking: its latest (the live one if any), batched so a page of
   * bookings costs one statement. FORBIDDEN when it is someone else's.
   */
  async forBooking(bookingId: string): Promise<Payment | null> {
    if (!isUuid(bookingId)) return null;
    const found = await loader(this.ctx, 'Booking.payment', async (ids) => {
      const rows = await this.ctx.em.find(Payment, { bookingId: ids as string[] }, { orderBy: { createdAt: 'asc', id: 'asc' } });
      const latest = new Map<string, Payment>();
      for (const row of rows) {
        const current = latest.get(row.bookingId);
        // A later payment replaces an earlier one, unless the earlier one is live.
        if (!current || !LIVE.includes(current.status) || LIVE.includes(row.status)) latest.set(row.bookingId, row);
      }
      return [...latest].map(([id, payment]) => ({ id, payment }));
    }).load(bookingId);
    if (found && !canSee(this.ctx.caller, found.payment)) throw forbidden("Only the payer or a caller with bookings:read may see a booking's payment");
    return found?.payment ?? null;
  }

  /** A user's payments, newest first: the user themself, or a caller with bookings:read. */
  async forUser(userId: string, page: PageArgs): Promise<Connection<Payment>> {
    const caller = this.ctx.caller!;
    if (userId !== caller.userId && !hasScope(caller, Scope.BOOKINGS_READ)) {
      throw forbidden("Only the user themself or a caller with bookings:read may list a user's payments");
    }
    const after = checkCursor(page.after);
    if (!isUuid(userId)) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 };
    return findPage(this.ctx.em, Payment, { userId }, { first: page.first, after, orderBy: { createdAt: 'desc', id: 'desc' } });
  }

  /** The booking from the replica, polling for up to `bookingWaitMs` while its event is on its way. */
  private async waitForBooking(id: string): Promise<BookingReplica | null> {
    const deadline = Date.now() + this.deps.bookingWaitMs;
    for (;;) {
      const found = await this.ctx.em.findOne(BookingReplica, { id });
      if (found || Date.now() >= deadline) return found;
      await sleep(BOOKING_POLL_MS);
    }
  }

  private async enqueue(add: () => Promise<void>, what: string) {
    try {
      await add();
    } catch (err) {
      this.ctx.log.error({ err }, `could not queue the ${what}; the sweeper will finish it`);
    }
  }
}

const alreadyPaid = (bookingId: string) => conflict(`Booking ${bookingId} is already paid`);
