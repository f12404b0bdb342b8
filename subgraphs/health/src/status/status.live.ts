import { topic, type LiveStream } from '@atrium/kit';
import { liveEntity, type Context } from '@atrium/kit/subgraph';
import { ServiceStatus, type Status } from './service-status.entity';

/** A service's state right after a change, as JSON. */
export interface ServiceStatusState {
  name: string;
  status: Status;
  latencyMs: number | null;
  checkedAt: string | null;
  changedAt: string | null;
  reason: string | null;
}

/** Every committed status change of a monitored service: `serviceHealthChanged`'s events. */
export const SERVICE_HEALTH_CHANGED = topic<ServiceStatusState>('service.health_changed');

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const date = (s: string | null) => (s ? new Date(s) : null);

export function serviceStatusState(s: ServiceStatus): ServiceStatusState {
  return { name: s.name, status: s.status, latencyMs: s.latencyMs, checkedAt: iso(s.checkedAt), changedAt: iso(s.changedAt), reason: s.reason };
}

export function serviceStatusFromState(s: ServiceStatusState): ServiceStatus {
  return Object.assign(new ServiceStatus(), { ...s, checkedAt: date(s.checkedAt), changedAt: date(s.changedAt) });
}

/**
 * The monitor writes a service's row on every poll (latency, time checked) but its status
 * only when it changes (StatusService.record, in the poll's transaction): a new row or a new
 * status is news, and is announced once the poll commits.
 */
export const serviceHealthChanges = liveEntity({
  entity: ServiceStatus,
  topic: SERVICE_HEALTH_CHANGED,
  publishes: (change) => change.type === 'create' || 'status' in change.changed,
  payload: serviceStatusState,
});

/** `serviceHealthChanged`'s events (any signed-in caller, as `services`). Resolves once listening. */
export async function serviceHealthChangesFor(ctx: Context): Promise<LiveStream<ServiceStatusState>> {
  const stream = ctx.pubSub.subscribe(SERVICE_HEALTH_CHANGED);
  await stream.ready;
  return stream;
}
