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
  /** Set once the subgraph's Redis connection exists (see createServer). */
  system?: SystemHealthService;
}
