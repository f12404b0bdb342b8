import { createSubgraph, type Subgraph, type SubgraphOptions } from '@atrium/kit/subgraph';
import { bookingHandlers } from './booking/booking.handlers';
import type { PaymentConfig } from './config';
import { paymentContext } from './context';
import { entities } from './entities';
import { migrations } from './migrations';
import { paymentJobs } from './payment/payment.jobs';
import { reconcileJob, RECONCILE_QUEUE } from './payment/reconcile.job';
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
  extra: Pick<SubgraphOptions, 'plugins' | 'observe' | 'log' | 'verifier'> & { provider?: PaymentProvider } = {},
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
    // `off` removes a schedule an earlier configuration left in Redis.
    schedules: [
      config.PAYMENT_SWEEP_CRON === 'off' ? { name: 'sweep', off: true } : { name: 'sweep', pattern: config.PAYMENT_SWEEP_CRON },
      config.PAYMENT_RECONCILE_MS === 0 ? { name: RECONCILE_QUEUE, off: true } : { name: RECONCILE_QUEUE, every: config.PAYMENT_RECONCILE_MS },
    ],
  });
  return Object.assign(subgraph, { provider });
}
