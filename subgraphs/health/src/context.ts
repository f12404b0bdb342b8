import type { Redis } from '@atrium/kit';
import type { Context } from '@atrium/kit/subgraph';
import type { HealthConfig } from './config';
import { HistoryService } from './history/history.service';
import { IncidentService } from './incident/incident.service';
import type { Target } from './monitor/targets';
import { StatusService } from './status/status.service';
import { SystemHealthService } from './system/system-health.service';

/** kit's request context plus health's services, bound to the request. */
export interface HealthContext extends Context {
  /** The monitored services, in supergraph.yaml order, then the gateway. */
  targets: Target[];
  statuses: StatusService;
  incidents: IncidentService;
  /** The probe history behind the latency and status charts. */
  history: HistoryService;
  /** Redis, the event stream and the job queues at a glance (on the subgraph's Redis connection). */
  system: SystemHealthService;
}

/** What every request's services share: the monitored services and the subgraph's Redis. */
export interface HealthContextDeps {
  targets: Target[];
  redis: Redis;
  config: Pick<HealthConfig, 'EVENTS_STREAM' | 'JOBS_PREFIX' | 'HEALTH_TIMEOUT_MS'>;
}

/** Builds the services of one request (cheap objects: state lives in `em` and Redis). */
export function healthContext(base: Context, { targets, redis, config }: HealthContextDeps): HealthContext {
  return {
    ...base,
    targets,
    statuses: new StatusService(base.em),
    incidents: new IncidentService(base.em),
    history: new HistoryService(base.em),
    system: new SystemHealthService(redis, base.em, config, config.HEALTH_TIMEOUT_MS),
  };
}
