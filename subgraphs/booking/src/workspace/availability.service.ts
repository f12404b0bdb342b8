import { badInput, isUuid } from '@atrium/kit';
import { type EntityManager } from '@atrium/kit/subgraph';
import type { TimeSlot } from './availability.types';

/** `Workspace.availability`: the window it may be asked for, and the free slots within it. */
export class AvailabilityService {
  constructor(
    private readonly em: EntityManager,
    /** The widest window asked for (AVAILABILITY_MAX_DAYS). */
    private readonly maxWindowMs: number,
  ) {}

  /** Validates an availability window: `from` before `to`, at most the widest window. */
  checkWindow(from: Date, to: Date): void {
    if (to <= from) throw badInput('to', 'must be after from');
    const maxMs = this.maxWindowMs;
    if (to.getTime() - from.getTime() > maxMs) throw badInput('to', `the window may span at most ${Math.round(maxMs / 86_400_000)} days`);
  }

  /**
   * The free intervals of each workspace within [from, to), in ONE statement for the whole
   * batch: the window minus the union of its live bookings (PENDING_PAYMENT and CONFIRMED),
   * computed by PostgreSQL with multiranges, so adjacent and overlapping bookings merge and
   * the result is clipped to the window. A workspace booking does not know, or that is
   * archived, has no free slot (it cannot be booked).
   */
  async freeSlots(workspaceIds: readonly string[], from: Date, to: Date): Promise<{ id: string; slots: TimeSlot[] }[]> {
    const ids = workspaceIds.filter(isUuid);
    if (ids.length === 0) return [];
    // Instants as epoch milliseconds: MikroORM leaves raw timestamptz values as strings.
    const rows = await this.em.execute<{ workspace_id: string; starts_at: number | null; ends_at: number | null }[]>(
      `select w.id as workspace_id,
              round(extract(epoch from lower(slot)) * 1000)::float8 as starts_at,
              round(extract(epoch from upper(slot)) * 1000)::float8 as ends_at
         from workspace_replica w
         left join lateral unnest(
           tstzmultirange(tstzrange(?, ?, '[)')) - coalesce((
             select range_agg(tstzrange(b.starts_at, b.ends_at, '[)'))
               from booking b
              where b.workspace_id = w.id
                and b.status in ('PENDING_PAYMENT', 'CONFIRMED')
                and tstzrange(b.starts_at, b.ends_at, '[)') && tstzrange(?, ?, '[)')
           ), '{}'::tstzmultirange)
         ) as slot on true
        where w.id = any(?::uuid[]) and w.active
        order by w.id, lower(slot)`,
      [from, to, from, to, `{${ids.join(',')}}`],
    );
    const byWorkspace = new Map<string, TimeSlot[]>();
    for (const row of rows) {
      const slots = byWorkspace.get(row.workspace_id) ?? [];
      byWorkspace.set(row.workspace_id, slots);
      if (row.starts_at != null && row.ends_at != null) slots.push({ startsAt: new Date(row.starts_at), endsAt: new Date(row.ends_at) });
    }
    return [...byWorkspace].map(([id, slots]) => ({ id, slots }));
  }
}
