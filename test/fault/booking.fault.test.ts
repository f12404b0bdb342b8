import { describeFault, outage } from './support/scenario';

// booking holds the slots, consumes payment's outcomes and runs the hold-expiry jobs: a
// kill cuts all three, and its consumer group's pending entries must be taken up again.
describeFault('kill -9 of booking during the booking workload', async (stack) => {
  await stack.services.kill('booking');
  await outage();
  await stack.services.start('booking');
});
