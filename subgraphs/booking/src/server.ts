import { createSubgraph, type Subgraph, type SubgraphOptions } from '@atrium/kit/subgraph';
import { bookingHandlers, bookingJobs, SWEEP } from './booking/booking.handlers';
import { bookingUpdates } from './booking/booking.live';
import { rulesOf, type BookingConfig } from './config';
import { bookingContext } from './context';
import { entities } from './entities';
import { migrations } from './migrations';
import { buildSchema } from './schema';

/**
 * Builds and starts the booking subgraph: bookings, the orchestration of their payment
 * outcome, hold expiry and completion, and the replica of catalog's workspaces.
 */
export async function createServer(config: BookingConfig, extra: Pick<SubgraphOptions, 'plugins' | 'observe' | 'log' | 'verifier'> = {}): Promise<Subgraph> {
  const rules = rulesOf(config);
  return createSubgraph({
    name: 'booking',
    config,
    schema: await buildSchema(),
    entities,
    migrations,
    ...extra,
    context: (base) => bookingContext(base, rules),
    events: { handlers: bookingHandlers },
    jobs: bookingJobs,
    live: [bookingUpdates],
    schedules: config.BOOKING_SWEEP_CRON === 'off' ? [] : [{ name: SWEEP, pattern: config.BOOKING_SWEEP_CRON }],
  });
}
