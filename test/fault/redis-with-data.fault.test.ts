import { describeFault, outage } from './support/scenario';

// Redis restarts from its append-only file: streams, consumer groups and BullMQ jobs are
// back, but every connection dropped and whatever was in flight must be taken up again.
describeFault('kill -9 of Redis during the booking workload, restarted with its data', async (stack) => {
  await stack.redis.kill();
  await outage();
  await stack.redis.restart({ keepData: true });
});
