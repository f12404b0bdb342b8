import { describeFault, outage } from './support/scenario';

// Every subgraph loses its database mid-transaction, relay and consumers included; the
// server comes back through crash recovery and the services must reconnect on their own.
describeFault('kill -9 of PostgreSQL during the booking workload', async (stack) => {
  await stack.postgres.kill();
  await outage();
  await stack.postgres.restart();
});
