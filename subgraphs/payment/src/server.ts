import { createSubgraph, type Subgraph, type SubgraphOptions } from '@atrium/kit/subgraph';
import { bookingHandlers } from './booking/booking.events';
import type { PaymentConfig } from './config';
import { paymentContext } from './context';
import { entities } from './entities';
import { migrations } from './migrations';
import { paymentJobs } from './payment/payment.jobs';
import { reconcileJob, RECONCILE_QUEUE } from './payment/reconcile';
import { createProvider, type PaymentProvider } from './provider';
import { buildSchema } from './schema';

export interface PaymentServer extends Subgraph {
  provider: PaymentProvider;
}

/**
 * Builds and starts the payment subgraph: pays bookings through `PAYMENT_PROVIDER` (or
 * the `provider` given, as tests do), keeps a booking replica from booking's events,
 * retries and refunds on BullMQ, and reconciles PROCESSING payments with their jobs.
 */
export async function createServer(
  config: PaymentConfig,
  extra: Pick<SubgraphOptions, 'plugins' | 'log' | 'verifier'> & { provider?: PaymentProvider } = {},
): Promise<PaymentServer> {
  const { provider = createProvider(config), ...options } = extra;
  const deps = { provider, bookingWaitMs: config.PAYMENT_BOOKING_WAIT_MS };
  const subgraph = await createSubgraph({
    name: 'payment',
    config,
    schema: await buildSchema(),
    entities,
    migrations,
    ...options,
    context: (base) => paymentContext(base, deps),
    events: { handlers: bookingHandlers },
    jobs: { ...paymentJobs(provider), [RECONCILE_QUEUE]: reconcileJob(config.PAYMENT_RECONCILE_MS) },
  });
  try {
    if (config.PAYMENT_SWEEP_CRON === 'off') await subgraph.jobs.queue('sweep').removeJobScheduler('sweep');
    else await subgraph.jobs.schedule('sweep', config.PAYMENT_SWEEP_CRON);
    if (config.PAYMENT_RECONCILE_MS === 0) await subgraph.jobs.queue(RECONCILE_QUEUE).removeJobScheduler(RECONCILE_QUEUE);
    else await subgraph.jobs.schedule(RECONCILE_QUEUE, { every: config.PAYMENT_RECONCILE_MS });
  } catch (err) {
    await subgraph.close();
    throw err;
  }
  return Object.assign(subgraph, { provider });
}
