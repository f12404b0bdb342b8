import { describeFault, outage, privateStack } from './support/scenario';

// kill -9 of one service at a time, on one private stack, each under its own workload.
const scene = privateStack();

// Payments in flight are cut between saving a payment and charging it, or between the
// charge and its event: each must still end charged once, and its booking confirmed.
describeFault('kill -9 of payment during the booking workload', scene, async (stack) => {
  await stack.services.kill('payment');
  await outage();
  await stack.services.start('payment');
});

// booking holds the slots, consumes payment's outcomes and runs the hold-expiry jobs: a
// kill cuts all three, and its consumer group's pending entries must be taken up again.
describeFault('kill -9 of booking during the booking workload', scene, async (stack) => {
  await stack.services.kill('booking');
  await outage();
  await stack.services.start('booking');
});

// Every client request and every subscription goes through the gateway: a kill drops
// them all at once, answers lost included, and clients must be able to simply try again.
describeFault('kill -9 of the gateway during the booking workload', scene, async (stack) => {
  await stack.services.kill('gateway');
  await outage();
  await stack.services.start('gateway');
});
