import type { EntityManager, EventRecorder } from '@atrium/kit/subgraph';
import { LockMode } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { Booking, BookingStatus } from './booking.entity';
import { snapshot } from './rules';

/**
 * Serializes, per workspace, the transactions that put a booking INTO the exclusion
 * constraint's set (insert, confirm). Without it, two concurrent overlapping inserts each
 * wait for the other's uncommitted index entry and PostgreSQL breaks the cycle with a
 * deadlock error; with it the second one simply sees the first, committed, and fails
 * with a clean exclusion violation. The constraint stays the guarantee; this only keeps
 * contention orderly. Released at commit or rollback.
 */
export async function lockWorkspace(em: EntityManager, workspaceId: string): Promise<void> {
  await em.execute(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`booking:workspace:${workspaceId}`]);
}

/** Locks a booking row for the rest of the transaction, re-reading it from the database. */
export const lockBooking = (em: EntityManager, id: string) =>
  em.findOne(Booking, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });

/**
 * The status transitions driven by payment events and scheduled jobs. Each runs inside
 * the caller's transaction (`em`): it locks the row, changes it only from the expected
 * status — so a late, duplicate or out-of-order trigger is a no-op — and records the
 * matching event in the same transaction. Returns the booking when it changed it.
 */
export class BookingLifecycle {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventRecorder,
    private readonly log: Logger,
  ) {}

  /** payment.succeeded: PENDING_PAYMENT → CONFIRMED. A hold that already expired or was cancelled stays so. */
  async confirm(bookingId: string): Promise<Booking | null> {
    const [row] = await this.em.execute<{ workspace_id: string }[]>('select workspace_id from booking where id = ?', [bookingId]);
    if (!row) return this.missing(bookingId, 'confirm');
    // Same lock order as createBooking (workspace, then row): confirming re-enters the
    // exclusion constraint's set, so it must not race an insert into a deadlock.
    await lockWorkspace(this.em, row.workspace_id);
    return this.transition(bookingId, BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED, (b) => {
      b.confirmedAt = new Date();
      this.events.record('booking.confirmed', snapshot(b), { em: this.em });
    });
  }

  /** payment.failed (declined): PENDING_PAYMENT → PAYMENT_FAILED, which frees the slot. */
  fail(bookingId: string, reason: string): Promise<Booking | null> {
    return this.transition(bookingId, BookingStatus.PENDING_PAYMENT, BookingStatus.PAYMENT_FAILED, (b) => {
      b.failureReason = reason;
      this.events.record('booking.payment_failed', { ...snapshot(b), reason }, { em: this.em });
    });
  }

  /**
   * The hold's deadline passed unpaid: PENDING_PAYMENT → EXPIRED, which frees the slot —
   * unless its payment is being charged: then the outcome decides (see `paymentEnded`).
   */
  expire(bookingId: string): Promise<Booking | null> {
    return this.transition(
      bookingId,
      BookingStatus.PENDING_PAYMENT,
      BookingStatus.EXPIRED,
      (b) => {
        this.events.record('booking.expired', snapshot(b), { em: this.em });
      },
      (b) => (b.paymentStartedAt ? 'its payment is being charged' : null),
    );
  }

  /** payment.started: a held booking's payment is being charged; the hold waits for its outcome. */
  async paymentStarted(bookingId: string): Promise<void> {
    const booking = await lockBooking(this.em, bookingId);
    if (booking?.status !== BookingStatus.PENDING_PAYMENT || booking.paymentStartedAt) return;
    booking.paymentStartedAt = new Date();
    await this.em.flush();
  }

  /**
   * payment.failed without a decline (the provider stayed unavailable): the hold is an
   * ordinary unpaid hold again, and expires now if its deadline has passed meanwhile.
   */
  async paymentEnded(bookingId: string): Promise<Booking | null> {
    const booking = await lockBooking(this.em, bookingId);
    if (booking?.status !== BookingStatus.PENDING_PAYMENT || !booking.paymentStartedAt) return null;
    booking.paymentStartedAt = null;
    await this.em.flush();
    return booking.expiresAt <= new Date() ? this.expire(bookingId) : null;
  }

  /** The booking's end passed: CONFIRMED → COMPLETED. */
  complete(bookingId: string): Promise<Booking | null> {
    return this.transition(bookingId, BookingStatus.CONFIRMED, BookingStatus.COMPLETED, (b) => {
      this.events.record('booking.completed', snapshot(b), { em: this.em });
    });
  }

  /** `refuse` names why the booking must stay as it is, or returns null. */
  private async transition(
    id: string,
    from: BookingStatus,
    to: BookingStatus,
    apply: (b: Booking) => void,
    refuse: (b: Booking) => string | null = () => null,
  ): Promise<Booking | null> {
    const booking = await lockBooking(this.em, id);
    if (!booking) return this.missing(id, to);
    if (booking.status !== from) {
      this.log.info({ bookingId: id, status: booking.status, wanted: to }, 'booking not changed: it is no longer in the expected status');
      return null;
    }
    const reason = refuse(booking);
    if (reason) {
      this.log.info({ bookingId: id, wanted: to, reason }, 'booking not changed');
      return null;
    }
    booking.status = to;
    apply(booking);
    await this.em.flush();
    this.log.info({ bookingId: id, status: to }, 'booking status changed');
    return booking;
  }

  private missing(id: string, action: string): null {
    this.log.warn({ bookingId: id, action }, 'no such booking; nothing to do');
    return null;
  }
}
