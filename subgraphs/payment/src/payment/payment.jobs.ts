import type { Logger } from '@atrium/kit';
import type { JobProcessor, Jobs } from '@atrium/kit/subgraph';
import type { MikroORM } from '@mikro-orm/postgresql';
import { UnrecoverableError } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { DEAD_BOOKING_STATUSES } from '../booking/booking-replica.entity';
import type { PaymentProvider } from '../provider';
import {
  chargeOnce,
  enqueueRefund,
  jobRecorder,
  recordChargeAttempt,
  RefundDeclinedError,
  refundPayment,
  type PaymentJobData,
} from './charging';
import { Payment, PaymentStatus } from './payment.entity';

/** A payment untouched this long in PROCESSING, or unrefunded on a dead booking, is stuck. */
export const STUCK_AFTER_MS = 5 * 60_000;

/**
 * payment's BullMQ processors (queues `payment-charge`, `payment-refund`, `payment-sweep`).
 *
 * - `charge`: retries a charge that failed transiently; throws to let BullMQ back off and
 *   retry, and on its last attempt records the payment FAILED instead.
 * - `refund`: refunds a SUCCEEDED payment of a booking that was cancelled or died.
 * - `sweep`: finishes what a crash left half-done (see `sweep`).
 */
export function paymentJobs(provider: PaymentProvider): Record<string, JobProcessor> {
  return {
    charge: async (job, { orm, log, jobs }) => {
      const data = job.data as PaymentJobData;
      const em = orm.em.fork();
      const payment = await em.findOne(Payment, { id: data.paymentId });
      if (!payment || payment.status !== PaymentStatus.PROCESSING) return 'settled';
      const result = await chargeOnce(provider, payment);
      const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const outcome = await recordChargeAttempt(em.fork(), jobRecorder(em, data), payment.id, result, { final });
      if (outcome.refund) await enqueueRefund(jobs, data);
      if (outcome.payment.status === PaymentStatus.PROCESSING) {
        throw new Error(`charge failed transiently (attempt ${outcome.payment.attempts}): ${result.outcome === 'transient' ? result.reason : result.outcome}`);
      }
      log.info({ paymentId: payment.id, status: outcome.payment.status, attempts: outcome.payment.attempts }, 'charge retried');
      return outcome.payment.status;
    },
    refund: async (job, { orm, log }) => {
      const data = job.data as PaymentJobData;
      const em = orm.em.fork();
      try {
        return (await refundPayment(em, jobRecorder(em, data), provider, data.paymentId, log)) ? 'refunded' : 'nothing to refund';
      } catch (err) {
        if (err instanceof RefundDeclinedError) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    sweep: async (_job, { orm, log, jobs }) => sweep(orm, provider, jobs, log),
  };
}

/**
 * Finishes payments a crash or an outage left half-done, a few at a time:
 * a payment PROCESSING and untouched for `STUCK_AFTER_MS` (the process died between
 * saving it and charging, or its retries could not run) gets one last charge attempt with
 * its idempotency key, so it was never charged twice, and ends SUCCEEDED or FAILED;
 * a SUCCEEDED payment of a dead booking that is still not refunded after as long (its
 * refund job gave up) is refunded again.
 */
export async function sweep(orm: MikroORM, provider: PaymentProvider, jobs: Jobs, log: Logger, now = new Date()) {
  const em = orm.em.fork();
  const cutoff = new Date(now.getTime() - STUCK_AFTER_MS);
  let settled = 0;
  let refunded = 0;
  const stuck = await em.find(Payment, { status: PaymentStatus.PROCESSING, updatedAt: { $lt: cutoff } }, { orderBy: { updatedAt: 'asc' }, limit: 50 });
  for (const payment of stuck) {
    const data = { paymentId: payment.id, correlationId: randomUUID(), actorId: null };
    try {
      const outcome = await recordChargeAttempt(em.fork(), jobRecorder(em, data), payment.id, await chargeOnce(provider, payment), { final: true });
      if (outcome.refund) await enqueueRefund(jobs, data);
      settled++;
    } catch (err) {
      log.error({ err, paymentId: payment.id }, 'sweeper could not settle a stuck payment');
    }
  }
  const unrefunded = await em.getConnection().execute<{ id: string }[]>(
    `select p.id from payment p join booking_replica b on b.id = p.booking_id
      where p.status = 'SUCCEEDED' and b.status in (${DEAD_BOOKING_STATUSES.map(() => '?').join(', ')}) and b.last_event_at < ? and p.updated_at < ?
      order by b.last_event_at limit 50`,
    [...DEAD_BOOKING_STATUSES, cutoff, cutoff],
  );
  for (const { id } of unrefunded) {
    try {
      if (await refundPayment(em.fork(), jobRecorder(em, { correlationId: randomUUID(), actorId: null }), provider, id, log)) refunded++;
    } catch (err) {
      log.error({ err, paymentId: id }, 'sweeper could not refund a payment of a dead booking');
    }
  }
  if (settled || refunded) log.warn({ settled, refunded }, 'sweeper finished stuck payments');
  return { settled, refunded };
}
