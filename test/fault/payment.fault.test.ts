import { describeFault, outage } from './support/scenario';

// Payments in flight are cut between saving a payment and charging it, or between the
// charge and its event: each must still end charged once, and its booking confirmed.
describeFault('kill -9 of payment during the booking workload', async (stack) => {
  await stack.services.kill('payment');
  await outage();
  await stack.services.start('payment');
});
