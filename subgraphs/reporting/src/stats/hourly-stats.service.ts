import { badInput } from '@atrium/kit';
import type { EntityManager } from '@atrium/kit/subgraph';
import type { HourlyStats } from './hourly-stats.types';

const HOUR_MS = 3_600_000;
/** The window `hourlyStats` covers when no bounds are given: the last 24 hours. */
export const DEFAULT_HOURS = 24;
/** The longest window, in hours (a week). */
export const MAX_HOURS = 7 * 24;

/** Which audit-trail action feeds which column. */
const ACTIONS = { bookings: 'booking.created', confirmed: 'booking.confirmed', cancellations: 'booking.cancelled' } as const;

const floorHour = (d: Date) => new Date(Math.floor(d.getTime() / HOUR_MS) * HOUR_MS);

/**
 * The hours of `hourlyStats(from, to)`: every UTC hour that overlaps [from, to); `to`
 * defaults to now, `from` to 24 hours before `to`; at most {@link MAX_HOURS} of them.
 */
export function hoursOf(from: Date | null | undefined, to: Date | null | undefined, now = new Date()): Date[] {
  const end = to ?? now;
  const start = from ?? new Date(end.getTime() - DEFAULT_HOURS * HOUR_MS);
  if (start.getTime() >= end.getTime()) throw badInput('to', 'must be after from');
  const first = floorHour(start).getTime();
  const count = Math.ceil((end.getTime() - first) / HOUR_MS);
  if (count > MAX_HOURS) throw badInput('to', `the window may span at most ${MAX_HOURS} hours`);
  return Array.from({ length: count }, (_, i) => new Date(first + i * HOUR_MS));
}

/**
 * Bookings created, confirmed and cancelled per UTC hour, counted from the activity log
 * (one statement over its (action, occurred_at) index), so they agree with `activityLog`
 * and need no table of their own. Hours without events are included, as zeros.
 */
export class HourlyStatsService {
  constructor(private readonly em: EntityManager) {}

  async range(from: Date | null | undefined, to: Date | null | undefined): Promise<HourlyStats[]> {
    const hours = hoursOf(from, to);
    const start = hours[0];
    const end = new Date(hours[hours.length - 1].getTime() + HOUR_MS);
    const rows = await this.em.execute<{ hour: string | Date; bookings: number; confirmed: number; cancellations: number }[]>(
      `select date_trunc('hour', "occurred_at" at time zone 'UTC') at time zone 'UTC' as "hour",
              (count(*) filter (where "action" = ?))::int as "bookings",
              (count(*) filter (where "action" = ?))::int as "confirmed",
              (count(*) filter (where "action" = ?))::int as "cancellations"
         from "activity_log"
        where "action" in (?, ?, ?) and "occurred_at" >= ? and "occurred_at" < ?
        group by 1`,
      [...Object.values(ACTIONS), ...Object.values(ACTIONS), start, end],
    );
    const byHour = new Map(rows.map((r) => [new Date(r.hour).getTime(), r]));
    return hours.map((hour) => {
      const r = byHour.get(hour.getTime());
      return { hour, bookings: r?.bookings ?? 0, confirmed: r?.confirmed ?? 0, cancellations: r?.cancellations ?? 0 };
    });
  }
}
