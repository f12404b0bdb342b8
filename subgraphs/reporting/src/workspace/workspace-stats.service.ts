import { badInput, isUuid } from '@atrium/kit';
import { type EntityManager } from '@atrium/kit/subgraph';
import { DAY_MS, hoursBetween } from '../common/dates';
import type { WorkspaceStats } from './workspace-stats.types';

/** The window `Workspace.stats` covers when no bounds are given. */
export const DEFAULT_WINDOW_DAYS = 30;
/** The longest window, in days. */
export const MAX_WINDOW_DAYS = 366;

export interface Window {
  from: Date;
  to: Date;
}

/**
 * The window of `Workspace.stats(from, to)`: `to` defaults to now, `from` to 30 days
 * before `to`; it must be non-empty and at most 366 days long.
 */
export function statsWindow(from: Date | null | undefined, to: Date | null | undefined, now = new Date()): Window {
  const end = to ?? now;
  const start = from ?? new Date(end.getTime() - DEFAULT_WINDOW_DAYS * DAY_MS);
  if (start.getTime() >= end.getTime()) throw badInput('to', 'must be after from');
  if (end.getTime() - start.getTime() > MAX_WINDOW_DAYS * DAY_MS) throw badInput('to', `the window may span at most ${MAX_WINDOW_DAYS} days`);
  return { from: start, to: end };
}

const empty = (id: string, from: Date, to: Date): WorkspaceStats => ({ id, from, to, bookings: 0, confirmedHours: 0, occupancy: 0, revenue: [] });

/**
 * Occupancy and revenue per workspace, from the booking and payment read models. One
 * call serves a whole batch of workspaces (two statements), so listing stats for many
 * workspaces through the gateway costs no more than for one.
 */
export class WorkspaceStatsService {
  constructor(private readonly em: EntityManager) {}

  async forWorkspaces(ids: readonly string[], { from, to }: Window): Promise<WorkspaceStats[]> {
    // A key that is no UUID names no workspace: zero stats, and no SQL cast error.
    const known = ids.filter(isUuid);
    if (!known.length) return ids.map((id) => empty(id, from, to));
    const [start, end] = [from.toISOString(), to.toISOString()];
    const usage = await this.em.execute<{ id: string; bookings: number; confirmed_seconds: string }[]>(
      `select "workspace_id" as "id", count(*)::int as "bookings",
              coalesce(sum(extract(epoch from least("ends_at", ?::timestamptz) - greatest("starts_at", ?::timestamptz)))
                filter (where "status" in ('CONFIRMED', 'COMPLETED')), 0)::float8 as "confirmed_seconds"
       from "booking_record"
       where "workspace_id" in (?) and "starts_at" < ?::timestamptz and "ends_at" > ?::timestamptz
       group by "workspace_id"`,
      [end, start, known, end, start],
    );
    const revenue = await this.em.execute<{ id: string; currency: string; amount: string }[]>(
      `select b."workspace_id" as "id", p."currency",
              (coalesce(sum(p."amount") filter (where p."succeeded_at" >= ?::timestamptz and p."succeeded_at" < ?::timestamptz), 0)
               - coalesce(sum(coalesce(p."refunded_amount", p."amount")) filter (where p."refunded_at" >= ?::timestamptz and p."refunded_at" < ?::timestamptz), 0))::bigint as "amount"
       from "payment_record" p join "booking_record" b on b."id" = p."booking_id"
       where b."workspace_id" in (?)
         and ((p."succeeded_at" >= ?::timestamptz and p."succeeded_at" < ?::timestamptz) or (p."refunded_at" >= ?::timestamptz and p."refunded_at" < ?::timestamptz))
       group by 1, 2
       order by 2`,
      [start, end, start, end, known, start, end, start, end],
    );
    const windowHours = hoursBetween(from, to);
    return ids.map((id) => {
      const used = usage.find((u) => u.id === id.toLowerCase());
      const confirmedHours = used ? Number(used.confirmed_seconds) / 3600 : 0;
      return {
        id,
        from,
        to,
        bookings: used?.bookings ?? 0,
        confirmedHours,
        // A workspace holds one booking at a time (booking's exclusion constraint): ≤ 1.
        occupancy: Math.min(1, confirmedHours / windowHours),
        revenue: revenue.filter((r) => r.id === id.toLowerCase()).map((r) => ({ amount: Number(r.amount), currency: r.currency })),
      };
    });
  }
}
