import type { EntityManager, EventEnvelope, WorkspaceSnapshot } from '@atrium/kit/subgraph';

/**
 * Applies one of catalog's workspace events to booking's replica: an upsert that only
 * ever moves forward in time (`source_occurred_at`), so a redelivered or reordered older
 * event cannot undo a newer one. `workspace.archived` always leaves it inactive.
 */
export async function applyWorkspaceEvent(
  em: EntityManager,
  event: Pick<EventEnvelope, 'type' | 'occurredAt'> & { data: WorkspaceSnapshot },
): Promise<void> {
  const w = event.data;
  const active = event.type === 'workspace.archived' ? false : w.active;
  await em.execute(
    `insert into workspace_replica
       (id, location_id, name, kind, capacity, hourly_rate_amount, hourly_rate_currency, active, city, timezone, source_occurred_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
     on conflict (id) do update set
       location_id = excluded.location_id, name = excluded.name, kind = excluded.kind, capacity = excluded.capacity,
       hourly_rate_amount = excluded.hourly_rate_amount, hourly_rate_currency = excluded.hourly_rate_currency,
       active = excluded.active, city = excluded.city, timezone = excluded.timezone,
       source_occurred_at = excluded.source_occurred_at, updated_at = now()
     where workspace_replica.source_occurred_at <= excluded.source_occurred_at`,
    [
      w.workspaceId,
      w.locationId,
      w.name,
      w.kind,
      w.capacity,
      w.hourlyRate.amount,
      w.hourlyRate.currency.toUpperCase(),
      active,
      w.city,
      w.timezone,
      new Date(event.occurredAt),
    ],
  );
}
