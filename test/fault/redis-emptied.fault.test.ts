import { describeFault, outage } from './support/scenario';

// Redis comes back with nothing (a failover without persistence): the event stream, every
// consumer group, every delayed job and every job scheduler are gone. PostgreSQL is the
// source of truth, and the platform must heal from it with no service restarted by hand.
describeFault('kill -9 of Redis during the booking workload, restarted empty', async (stack) => {
  await stack.redis.kill();
  await outage();
  await stack.redis.restart({ keepData: false });
});
