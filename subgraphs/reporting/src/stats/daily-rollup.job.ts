import type { JobProcessor } from '@atrium/kit/subgraph';
import { isDay, previousDay, utcDay } from '../common/dates';
import { DailyStatsService } from './daily-stats.service';

/** The rollup's queue name and schedule: 00:05 UTC, once per cluster (a BullMQ job scheduler). */
export const DAILY_ROLLUP = 'daily-rollup';
export const DAILY_ROLLUP_PATTERN = '5 0 * * *';

/**
 * Recomputes one day's statistics from the activity log — yesterday by default, or
 * `data.date` (`YYYY-MM-DD`) — so counters that drifted heal overnight.
 */
export const dailyRollup: JobProcessor = async (job, { orm, log }) => {
  const requested = (job.data as { date?: unknown }).date;
  if (requested !== undefined && !isDay(requested)) {
    throw new Error(`daily-rollup: date must be YYYY-MM-DD, got ${JSON.stringify(requested)}`);
  }
  const day = requested ?? previousDay(utcDay(new Date()));
  const stats = await orm.em.fork().transactional((em) => new DailyStatsService(em).recompute(day));
  log.info({ day, stats }, 'daily statistics recomputed from the activity log');
  return stats;
};
