import { type Logger } from '@atrium/kit';
import { createRecorder, type EntityManager, type EventRecorder, type Jobs, type PaymentSnapshot } from '@atrium/kit/subgraph';
import { LockMode } from '@mikro-orm/core';
import type { JobsOptions } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { BookingReplica, DEAD_BOOKING_STATUSES } from '../booking/booking-replica.entity';
import { callSafely, type PaymentProvider, type ProviderResult } from '../provider';
import { Payment, PaymentStatus } from './payment.entity';

/**
 * The provider-facing steps of a payment's life, shared by the mutation, the retry and
 * refund jobs and the sweeper. Each provider call uses a key derived from the payment, so
 * repeating a step (a retried job, a redelivered event) never charges or refunds twice,
 * and each state change is written in one transaction with its event.
 */

/** Retries of a charge or refund: 5 attempts, 200 ms, 400 ms, 800 ms… apart. */
export const RETRY: JobsOptions = { attempts: 5, backoff: { type: 'exponential', delay: 200 } };

/** What the charge and refund jobs carry: ids only, never card data. */
export interface PaymentJobData {
  paymentId: string;
  /** The request (or event) that started it, carried on to the events the job records. */
  correlationId: string;
  actorId: string | null;
}

export const chargeKey = (paymentId: string) => `payment:${paymentId}:charge`;
export const refundKey = (paymentId: string) => `payment:${paymentId}:refund`;

export const chargeJobId = (paymentId: string) => `charge:${paymentId}`;

/** Queues the retries of a charge that failed transiently; `charge:<paymentId>` makes it once only. */
export const enqueueCharge = (jobs: Jobs, data: PaymentJobData) => jobs.add('charge', data, { ...RETRY, jobId: chargeJobId(data.paymentId) });

/** Queues a refund; `refund:<paymentId>` makes it once only, however many events ask for it. */
export const enqueueRefund = (jobs: Jobs, data: PaymentJobData) => jobs.add('refund', data, { ...RETRY, jobId: `refund:${data.paymentId}` });

/** A recorder for work that runs outside a request (jobs, the sweeper). */
export const jobRecorder = (em: EntityManager, data: Pick<PaymentJobData, 'correlationId' | 'actorId'>) =>
  createRecorder(em, { producer: 'payment', correlationId: data.correlationId || randomUUID(), actorId: data.actorId });

export function snapshot(payment: Payment): PaymentSnapshot {
  return {
    paymentId: payment.id,
    bookingId: payment.bookingId,
    userId: payment.userId,
    amount: { amount: payment.amountMinor, currency: payment.currency },
    last4: payment.last4,
    status: payment.status,
  };
}

/** One charge attempt with the provider (a throw counts as transient). */
export const chargeOnce = (provider: PaymentProvider, payment: Payment): Promise<ProviderResult> =>
  callSafely(() =>
    provider.charge({ amount: payment.amountMinor, currency: payment.currency, card: payment.cardRef, idempotencyKey: chargeKey(payment.id) }),
  );

export interface AttemptOutcome {
  payment: Payment;
  /** The charge succeeded for a booking that is no longer payable: refund it. */
  refund: boolean;
}

/**
 * Records one charge attempt and its event in one transaction on a PROCESSING payment
 * (locked; any other status means another attempt got there first and nothing changes).
 * Succeeded → SUCCEEDED + `payment.succeeded`; declined, or transient on the `final`
 * attempt → FAILED + `payment.failed`; transient otherwise → still PROCESSING.
 *
 * A success also locks the booking's row and reports whether the booking has died
 * meanwhile (expired, cancelled, failed): the booking-event handler takes the same row lock
 * before it looks for payments to refund, so one of the two always sees the other.
 */
export async function recordChargeAttempt(
  em: EntityManager,
  events: EventRecorder,
  paymentId: string,
  result: ProviderResult,
  { final }: { final: boolean },
): Promise<AttemptOutcome> {
  return em.transactional(async (tem) => {
    const payment = await tem.findOneOrFail(Payment, { id: paymentId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (payment.status !== PaymentStatus.PROCESSING) return { payment, refund: false };
    payment.attempts += 1;
    if (result.outcome === 'succeeded') {
      const booking = await tem.findOne(BookingReplica, { id: payment.bookingId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      payment.status = PaymentStatus.SUCCEEDED;
      payment.providerRef = result.providerRef;
      payment.succeededAt = new Date();
      events.record('payment.succeeded', snapshot(payment), { em: tem });
      return { payment, refund: !!booking && DEAD_BOOKING_STATUSES.includes(booking.status) };
    }
    if (result.outcome === 'declined' || final) {
      const declined = result.outcome === 'declined';
      payment.status = PaymentStatus.FAILED;
      payment.failureReason = declined ? result.reason : `payment provider unavailable (${result.reason})`;
      events.record('payment.failed', { ...snapshot(payment), reason: payment.failureReason, declined }, { em: tem });
    }
    return { payment, refund: false };
  });
}

/** The refund was declined by the provider: retrying cannot help, an operator must look. */
export class RefundDeclinedError extends Error {
  override name = 'RefundDeclinedError';
}

/**
 * Refunds a SUCCEEDED payment in full: the provider (idempotent by key), then REFUNDED +
 * `payment.refunded` in one transaction. A payment in any other state is left alone
 * (returns false), so a repeated refund is harmless. A transient failure throws, for the
 * job to retry.
 */
export async function refundPayment(
  em: EntityManager,
  events: EventRecorder,
  provider: PaymentProvider,
  paymentId: string,
  log: Logger,
): Promise<boolean> {
  const payment = await em.findOne(Payment, { id: paymentId }, { refresh: true });
  if (!payment || payment.status !== PaymentStatus.SUCCEEDED || !payment.providerRef) return false;
  const providerRef = payment.providerRef;
  const result = await callSafely(() => provider.refund({ providerRef, amount: payment.amountMinor, idempotencyKey: refundKey(payment.id) }));
  if (result.outcome === 'transient') throw new Error(`refund failed transiently: ${result.reason}`);
  if (result.outcome === 'declined') {
    log.error({ paymentId, reason: result.reason }, 'refund declined by the provider: needs an operator');
    throw new RefundDeclinedError(`refund declined: ${result.reason}`);
  }
  return em.transactional(async (tem) => {
    const locked = await tem.findOneOrFail(Payment, { id: paymentId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (locked.status !== PaymentStatus.SUCCEEDED) return false;
    locked.status = PaymentStatus.REFUNDED;
    locked.refundRef = result.providerRef;
    locked.refundedAt = new Date();
    events.record('payment.refunded', snapshot(locked), { em: tem });
    log.info({ paymentId, bookingId: locked.bookingId }, 'payment refunded');
    return true;
  });
}
