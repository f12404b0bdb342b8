import type { Logger } from '@atrium/kit';
import type { JobProcessor, Jobs } from '@atrium/kit/subgraph';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { chargeJobId, RETRY, type PaymentJobData } from './charging';
import { Payment, PaymentStatus } from './payment.entity';

/** The BullMQ queue of the frequent check (`payment-reconcile`). */
export const RECONCILE_QUEUE = 'reconcile';
/** Payments looked at per run: the oldest first; the next run takes the rest. */
const BATCH = 100;

/**
 * Gives every payment PROCESSING for longer than `idleMs` a live charge job. Its job may
 * be missing — the process died between saving the payment and charging, or Redis lost
 * its data — or finished while the row still says PROCESSING (its last attempt could not
 * be recorded): a fresh job then charges it again with the payment's idempotency key, so
 * the provider never charges twice, and records the outcome. A payment whose job is
 * waiting or backing off is left to it. One indexed query and one Redis lookup per
 * PROCESSING payment: cheap enough to run every few seconds.
 */
export async function requeueCharges(orm: MikroORM, jobs: Jobs, log: Logger, idleMs: number, now = new Date()): Promise<number> {
  const idle = await orm.em
    .fork()
    .find(
      Payment,
      { status: PaymentStatus.PROCESSING, updatedAt: { $lt: new Date(now.getTime() - idleMs) } },
      { fields: ['id', 'userId'], orderBy: { updatedAt: 'asc' }, limit: BATCH },
    );
  let queued = 0;
  for (const payment of idle) {
    const data: PaymentJobData = { paymentId: payment.id, correlationId: randomUUID(), actorId: payment.userId };
    if (await jobs.ensure('charge', data, { ...RETRY, jobId: chargeJobId(payment.id) })) queued++;
  }
  if (queued) log.warn({ queued }, 'charges queued again for PROCESSING payments that had no job');
  return queued;
}

/** The `reconcile` processor; `idleMs` is also how often it runs (PAYMENT_RECONCILE_MS). */
export const reconcileJob =
  (idleMs: number): JobProcessor =>
  async (_job, { orm, jobs, log }) =>
    requeueCharges(orm, jobs, log, idleMs);
