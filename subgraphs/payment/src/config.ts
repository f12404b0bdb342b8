import { subgraphEnv, z } from '@atrium/kit';

/** payment's environment: the subgraph basics plus the provider and the booking wait (see .env.example). */
export const paymentEnv = {
  ...subgraphEnv(4004, 'atrium_payment'),
  /** Which payment provider charges cards. `simulated` (test cards, no network) is the only one so far. */
  PAYMENT_PROVIDER: z.enum(['simulated']).default('simulated'),
  /**
   * How long payForBooking waits (ms) for a booking it has not heard of yet: booking's
   * `booking.created` event may reach payment a little after createBooking has answered.
   */
  PAYMENT_BOOKING_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(3_000),
  /**
   * When the sweeper runs (cron, UTC; once per cluster): it settles payments a crash left
   * PROCESSING and refunds paid bookings whose refund gave up. `off` disables it.
   */
  PAYMENT_SWEEP_CRON: z.string().min(1).default('* * * * *'),
  /**
   * Every this many ms (once per cluster), a payment PROCESSING for as long without a live
   * charge job — a crash in payForBooking, Redis lost its data — gets one again. 0 disables.
   */
  PAYMENT_RECONCILE_MS: z.coerce.number().int().min(0).default(5_000),
};

export type PaymentConfig = z.infer<z.ZodObject<typeof paymentEnv>>;
