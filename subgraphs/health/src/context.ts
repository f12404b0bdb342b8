import type { Context } from '@atrium/kit/subgraph';
import type { Target } from './monitor/targets';
import type { SystemHealthService } from './system/system-health.service';

/** What health's resolvers get besides the kit's context. */
export interface HealthContext extends Context {
  health: HealthRuntime;
}

/** The monitor's configuration and live dependencies, shared by every request. */
export interface HealthRuntime {
  /** The monitored services, in supergraph.yaml order, then the gateway. */
  targets: Target[];
  /** Redis, the event stream and the job queues at a glance (on the subgraph's Redis connection). */
  system: SystemHealthService;
}
