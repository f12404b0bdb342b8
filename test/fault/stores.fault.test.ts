import { describeFault, outage, privateStack } from './support/scenario';

// kill -9 of a data store that comes back with its data, on one private stack.
const scene = privateStack();

// Every subgraph loses its database mid-transaction, relay and consumers included; the
// server comes back through crash recovery and the services must reconnect on their own.
describeFault('kill -9 of PostgreSQL during the booking workload', scene, async (stack) => {
  await stack.postgres.kill();
  await outage();
  await stack.postgres.restart();
});

// Redis restarts from its append-only file: streams, consumer groups and BullMQ jobs are
// back, but every connection dropped and whatever was in flight must be taken up again.
describeFault('kill -9 of Redis during the booking workload, restarted with its data', scene, async (stack) => {
  await stack.redis.kill();
  await outage();
  await stack.redis.restart({ keepData: true });
});
