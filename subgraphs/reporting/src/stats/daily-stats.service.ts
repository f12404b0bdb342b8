import { badInput } from '@atrium/kit';
import { type EntityManager, type EventType } from '@atrium/kit/subgraph';
import { DAY_MS, daysBetween, nextDay, startOfDay } from '../common/dates';
import { DailyCounters, DailyRevenue } from './daily-stats.entity';
import type { DailyStats } from './daily-stats.types';

/** The longest `dailyStats` range, in days (both ends included). */
export const MAX_DAYS = 366;

export type Counter = 'bookings' | 'cancellations' | 'confirmed' | 'newUsers';

/** Which event increments which counter: the one table both the handlers and the rollup use. */
export const COUNTERS: Partial<Record<EventType, Counter>> = {
  'booking.created': 'bookings',
  'booking.cancelled': 'cancellations',
  'booking.confirmed': 'confirmed',
  'user.registered': 'newUsers',
};

/** How a payment event moves revenue: payments add their amount, refunds take it back. */
export const REVENUE_SIGN: Partial<Record<EventType, 1 | -1>> = {
  'payment.succeeded': 1,
  'payment.refunded': -1,
};

const COLUMN: Record<Counter, string> = {
  bookings: 'bookings',
  cancellations: 'cancellations',
  confirmed: 'confirmed',
  newUsers: 'new_users',
};

const zero = (date: string): DailyStats => ({ date, bookings: 0, cancellations: 0, confirmed: 0, newUsers: 0, revenue: [] });

/**
 * Daily statistics: read by `dailyStats`, incremented by the event handlers (inside their
 * transaction, so a redelivered event, skipped by kit, never counts twice) and recomputed
 * from the activity log by the daily rollup.
 *
 * Lock order: every write to a day's counters or revenue goes through an upsert of that
 * day's `daily_stats` row, which locks it until commit; the rollup takes that lock before
 * it counts. So it never recounts while a handler's increment of the day is uncommitted
 * (it waits, then sees the handler's activity-log row), and a handler whose log row it
 * could not see yet adds its increment on top of the recounted value.
 */
export class DailyStatsService {
  constructor(private readonly em: EntityManager) {}

  /** One entry per day from `from` to `to` (both included), zero for days without events. */
  async range(from: string, to: string): Promise<DailyStats[]> {
    if (to < from) throw badInput('to', 'must not be before from');
    // Measured, not listed: listing first made `0001-01-01`..`9999-12-31` build 3.6 million
    // days (seconds of a blocked event loop) only to refuse them.
    const span = (startOfDay(to).getTime() - startOfDay(from).getTime()) / DAY_MS + 1;
    if (span > MAX_DAYS) throw badInput('to', `the range may span at most ${MAX_DAYS} days`);
    const days = daysBetween(from, to);
    const counters = await this.em.find(DailyCounters, { date: { $gte: from, $lte: to } });
    const revenue = await this.em.find(DailyRevenue, { date: { $gte: from, $lte: to } }, { orderBy: { date: 'asc', currency: 'asc' } });
    const byDay = new Map(days.map((d) => [d, zero(d)]));
    for (const c of counters) {
      Object.assign(byDay.get(c.date)!, { bookings: c.bookings, cancellations: c.cancellations, confirmed: c.confirmed, newUsers: c.newUsers });
    }
    for (const r of revenue) byDay.get(r.date)!.revenue.push({ amount: Number(r.amount), currency: r.currency });
    return [...byDay.values()];
  }

  /**
   * Adds `delta` to `counter` of `day`, creating the row on first use; without a counter it
   * only creates or locks the row (see the lock order above).
   */
  async increment(day: string, counter?: Counter, delta = 1): Promise<void> {
    if (!counter) {
      await this.em.execute(`insert into "daily_stats" ("date") values (?) on conflict ("date") do update set "updated_at" = now()`, [day]);
      return;
    }
    const column = COLUMN[counter];
    await this.em.execute(
      `insert into "daily_stats" ("date", "${column}") values (?, ?)
       on conflict ("date") do update set "${column}" = "daily_stats"."${column}" + excluded."${column}", "updated_at" = now()`,
      [day, delta],
    );
  }

  /** Adds `amount` (negative for a refund) to the revenue of `day` in `currency`. */
  async addRevenue(day: string, currency: string, amount: number): Promise<void> {
    await this.increment(day);
    await this.em.execute(
      `insert into "daily_revenue" ("date", "currency", "amount") values (?, ?, ?)
       on conflict ("date", "currency") do update set "amount" = "daily_revenue"."amount" + excluded."amount"`,
      [day, currency, amount],
    );
  }

  /**
   * Recounts `day` from the activity log and overwrites its counters and revenue: whatever
   * drift the incremental counters had, the row afterwards says what the log says. Run it
   * in a transaction (the rollup job does).
   */
  async recompute(day: string): Promise<DailyStats> {
    const window = [startOfDay(day).toISOString(), startOfDay(nextDay(day)).toISOString()];
    await this.increment(day); // creates and locks the row before counting
    const counted = Object.entries(COUNTERS) as [EventType, Counter][];
    const sets = counted.map(([, counter]) => `"${COLUMN[counter]}" = a."${COLUMN[counter]}"`).join(', ');
    const columns = counted.map(([, counter]) => `count(*) filter (where "action" = ?)::int as "${COLUMN[counter]}"`).join(', ');
    await this.em.execute(
      `update "daily_stats" s set ${sets}, "updated_at" = now()
       from (select ${columns} from "activity_log"
             where "action" in (${counted.map(() => '?').join(', ')}) and "occurred_at" >= ? and "occurred_at" < ?) a
       where s."date" = ?`,
      [...counted.map(([type]) => type), ...counted.map(([type]) => type), ...window, day],
    );
    const signed = Object.entries(REVENUE_SIGN) as [EventType, number][];
    await this.em.execute(`delete from "daily_revenue" where "date" = ?`, [day]);
    await this.em.execute(
      `insert into "daily_revenue" ("date", "currency", "amount")
       select ?::date, "data"->'amount'->>'currency',
              sum(case ${signed.map(() => `when "action" = ? then ?::int`).join(' ')} end * ("data"->'amount'->>'amount')::bigint)
       from "activity_log"
       where "action" in (${signed.map(() => '?').join(', ')}) and "occurred_at" >= ? and "occurred_at" < ?
       group by 2`,
      [day, ...signed.flat(), ...signed.map(([type]) => type), ...window],
    );
    this.em.clear();
    const [stats] = await this.range(day, day);
    return stats;
  }
}
