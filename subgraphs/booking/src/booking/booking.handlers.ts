import { createRecorder, type EventHandlers, type JobProcessor } from '@atrium/kit/subgraph';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { applyWorkspaceEvent } from '../workspace/replica';
import { Booking, BookingStatus } from './booking.entity';
import { BookingLifecycle } from './lifecycle';

/** Queues (BullMQ, named after booking) and their deterministic job ids. */
export const EXPIRE_HOLD = 'expire-hold';
export const COMPLETE_BOOKING = 'complete-booking';
export const SWEEP = 'sweep';
export const expireJobId = (bookingId: string) => `expire:${bookingId}`;
export const completeJobId = (bookingId: string) => `complete:${bookingId}`;

/** Job data: the booking, and the correlation id of the request that started it all. */
export interface BookingJobData {
  bookingId: string;
  correlationId: string;
}

const RETRY = { attempts: 8, backoff: { type: 'exponential', delay: 1_000 } };

/**
 * What booking consumes: catalog's workspace events (its replica), payment's outcomes
 * (confirm or fail the hold) and its own events (to schedule hold expiry and completion).
 * Each handler only touches the database and enqueues jobs with deterministic ids, so a
 * redelivery changes nothing.
 */
export const bookingHandlers: EventHandlers = {
  'workspace.created': (event, { em }) => applyWorkspaceEvent(em, event),
  'workspace.updated': (event, { em }) => applyWorkspaceEvent(em, event),
  'workspace.archived': (event, { em }) => applyWorkspaceEvent(em, event),

  'booking.created': async (event, { em, jobs }) => {
    const booking = await em.findOne(Booking, { id: event.data.bookingId });
    if (booking?.status !== BookingStatus.PENDING_PAYMENT) return;
    const data: BookingJobData = { bookingId: booking.id, correlationId: event.correlationId };
    await jobs.add(EXPIRE_HOLD, data, { ...RETRY, jobId: expireJobId(booking.id), delay: Math.max(0, booking.expiresAt.getTime() - Date.now()) });
  },

  'booking.confirmed': async (event, { jobs }) => {
    const data: BookingJobData = { bookingId: event.data.bookingId, correlationId: event.correlationId };
    const delay = Math.max(0, new Date(event.data.endsAt).getTime() - Date.now());
    await jobs.add(COMPLETE_BOOKING, data, { ...RETRY, jobId: completeJobId(event.data.bookingId), delay });
  },

  'payment.succeeded': async (event, { em, events, log }) => {
    await new BookingLifecycle(em, events, log).confirm(event.data.bookingId);
  },

  // The hold waits for the outcome of a payment being charged, past its deadline if need be.
  'payment.started': async (event, { em, events, log }) => {
    await new BookingLifecycle(em, events, log).paymentStarted(event.data.bookingId);
  },

  // A decline ends the hold; a payment that gave up for another reason leaves it unpaid.
  'payment.failed': async (event, { em, events, log }) => {
    const lifecycle = new BookingLifecycle(em, events, log);
    if (event.data.declined) await lifecycle.fail(event.data.bookingId, event.data.reason);
    else await lifecycle.paymentEnded(event.data.bookingId);
  },
};

/** Runs `work` in one transaction whose events carry `correlationId`. */
function inTransaction<T>(orm: MikroORM, log: Logger, correlationId: string, work: (lifecycle: BookingLifecycle) => Promise<T>): Promise<T> {
  return orm.em.fork().transactional((em) => {
    const events = createRecorder(em, { producer: 'booking', correlationId, actorId: null });
    return work(new BookingLifecycle(em, events, log));
  });
}

/**
 * How overdue a hold or a booking's end must be before the sweep steps in for a lost job.
 * Longer than the relay takes to notice a stream that lost its entries (seconds) and
 * publish them again: after Redis lost its data, a payment.started or payment.succeeded
 * that was on its way gets to booking before the sweep expires that hold.
 */
const SWEEP_GRACE = "interval '30 seconds'";
const SWEEP_BATCH = 500;

export const bookingJobs: Record<string, JobProcessor> = {
  /** The unpaid hold's deadline: EXPIRED (and the slot freed) unless paid or cancelled meanwhile. */
  [EXPIRE_HOLD]: async (job, { orm, log }) => {
    const { bookingId, correlationId } = job.data as BookingJobData;
    await inTransaction(orm, log, correlationId, (lifecycle) => lifecycle.expire(bookingId));
  },

  /** The booking's end: CONFIRMED → COMPLETED. */
  [COMPLETE_BOOKING]: async (job, { orm, log }) => {
    const { bookingId, correlationId } = job.data as BookingJobData;
    await inTransaction(orm, log, correlationId, (lifecycle) => lifecycle.complete(bookingId));
  },

  /**
   * The safety net behind the delayed jobs (Redis keeps nothing on disk, so a restart
   * loses them): expires holds and completes bookings well past their time — never a hold
   * whose payment is being charged. Each row changes in its own transaction through the
   * same transitions, so it races the jobs harmlessly. Both lookups use partial indexes,
   * so it runs every few seconds (BOOKING_SWEEP_CRON).
   */
  [SWEEP]: async (_job, { orm, log }) => {
    const em = orm.em.fork();
    const overdue = await em.execute<{ id: string; kind: 'expire' | 'complete' }[]>(
      `(select id, 'expire' as kind from booking where status = 'PENDING_PAYMENT' and expires_at < now() - ${SWEEP_GRACE} and payment_started_at is null limit ${SWEEP_BATCH})
       union all
       (select id, 'complete' as kind from booking where status = 'CONFIRMED' and ends_at < now() - ${SWEEP_GRACE} limit ${SWEEP_BATCH})`,
    );
    const correlationId = `sweep:${randomUUID()}`;
    for (const { id, kind } of overdue) {
      await inTransaction(orm, log, correlationId, (lifecycle) => (kind === 'expire' ? lifecycle.expire(id) : lifecycle.complete(id)));
    }
    if (overdue.length) log.info({ swept: overdue.length }, 'swept overdue bookings');
    return { swept: overdue.length };
  },
};
