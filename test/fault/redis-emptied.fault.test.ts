import { setTimeout as sleep } from 'node:timers/promises';
import { describeFault, outage, privateStack } from './support/scenario';

// A stack of its own: this fault destroys the most, and must not blur the others' results.
const scene = privateStack();

// Redis comes back with nothing (a failover without persistence): the event stream, every
// consumer group, every delayed job and every job scheduler are gone. PostgreSQL is the
// source of truth, and the platform must heal from it with no service restarted by hand.
// reporting is frozen for a moment before the wipe (as a GC pause or a starved CPU would
// freeze it), so that events already relayed but not yet read are surely among the losses:
// they must reach it all the same.
describeFault('kill -9 of Redis during the booking workload, restarted empty', scene, async (stack) => {
  stack.services.pause('reporting');
  await sleep(1_500);
  await stack.redis.kill();
  await outage();
  await stack.redis.restart({ keepData: false });
  stack.services.resume('reporting');
});
