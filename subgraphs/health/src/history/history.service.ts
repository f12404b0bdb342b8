import { badInput } from '@atrium/kit';
import type { EntityManager } from '@atrium/kit/subgraph';
import type { Observation } from '../monitor/probe';
import type { Target } from '../monitor/targets';
import { Status } from '../status/service-status.entity';
import type { HealthHistory, ServiceHealthPoint } from './history.types';

/** The longest window `serviceHealthHistory` answers, in minutes (the default retention: 24 h). */
export const MAX_WINDOW_MINUTES = 24 * 60;
/** At most this many points per service, whatever the window: the answer stays small. */
export const MAX_POINTS = 360;

interface Row {
  service: string;
  bucket: string | number;
  probes: number;
  failures: number;
  latency: number | null;
  max_latency: number | null;
}

/** The probe history: appended by every poll, pruned by age, read in fixed steps. */
export class HistoryService {
  constructor(private readonly em: EntityManager) {}

  /** Stores one poll's observations, in one statement. */
  async append(observations: readonly Observation[]): Promise<void> {
    if (observations.length === 0) return;
    await this.em.execute(
      `insert into "probe_sample" ("service", "at", "status", "latency_ms") values ${observations.map(() => '(?, ?, ?, ?)').join(', ')}`,
      observations.flatMap((o) => [o.service, o.at, o.status, o.latencyMs]),
    );
  }

  /** Deletes the samples older than `before`; returns how many went. */
  async prune(before: Date): Promise<number> {
    const result = await this.em.execute(`delete from "probe_sample" where "at" < ?`, [before], 'run');
    return (result as { affectedRows?: number }).affectedRows ?? 0;
  }

  /**
   * The last `windowMinutes` of every target, in steps of window / {@link MAX_POINTS}
   * (at least 1 s): one aggregate statement, whatever the number of samples.
   */
  async window(targets: readonly Target[], windowMinutes: number, now = new Date()): Promise<HealthHistory> {
    if (!Number.isInteger(windowMinutes) || windowMinutes < 1 || windowMinutes > MAX_WINDOW_MINUTES) {
      throw badInput('windowMinutes', `must be a whole number of minutes from 1 to ${MAX_WINDOW_MINUTES}`);
    }
    const stepSeconds = Math.max(1, Math.ceil((windowMinutes * 60) / MAX_POINTS));
    const since = new Date(now.getTime() - windowMinutes * 60_000);
    const rows = await this.em.execute<Row[]>(
      `select "service", floor(extract(epoch from "at") / ?)::bigint * ? as "bucket",
              count(*)::int as "probes", (count(*) filter (where "status" = 'DOWN'))::int as "failures",
              round(avg("latency_ms"))::int as "latency", max("latency_ms") as "max_latency"
         from "probe_sample"
        where "at" >= ? and "service" = any(?::text[])
        group by 1, 2
        order by 1, 2`,
      [stepSeconds, stepSeconds, since, `{${targets.map((t) => `"${t.name.replace(/["\\]/g, '\\$&')}"`).join(',')}}`],
    );
    const byService = new Map<string, ServiceHealthPoint[]>(targets.map((t) => [t.name, []]));
    for (const r of rows) {
      byService.get(r.service)?.push({
        at: new Date(Number(r.bucket) * 1000),
        status: r.failures > 0 ? Status.DOWN : Status.UP,
        latencyMs: r.latency,
        maxLatencyMs: r.max_latency,
        probes: r.probes,
        failures: r.failures,
      });
    }
    return { since, stepSeconds, services: [...byService].map(([service, points]) => ({ service, points })) };
  }
}
