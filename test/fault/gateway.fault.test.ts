import { describeFault, outage } from './support/scenario';

// Every client request and every subscription goes through the gateway: a kill drops
// them all at once, answers lost included, and clients must be able to simply try again.
describeFault('kill -9 of the gateway during the booking workload', async (stack) => {
  await stack.services.kill('gateway');
  await outage();
  await stack.services.start('gateway');
});
