import type { Metrics } from '@atrium/kit';

type Registry = Metrics['registry'];

/** The request counter every Atrium service keeps (kit's metrics): `status` is ok or error. */
export const REQUESTS_METRIC = 'atrium_graphql_requests_total';

/** One interval of this gateway's GraphQL traffic, as the dashboard charts it. */
export interface TrafficPoint {
  /** End of the interval (ISO-8601). */
  at: string;
  /** Its length in seconds: the sampling step, or less for the interval still running. */
  seconds: number;
  requests: number;
  errors: number;
  /** requests / seconds. */
  rps: number;
  /** errors / requests; null without requests (no ratio to speak of). */
  errorRatio: number | null;
}

export interface TrafficReport {
  /** The sampling step, in seconds. */
  stepSeconds: number;
  /** Oldest first; the last one is the interval running now (`partial`), so a fresh gateway has a point too. */
  points: (TrafficPoint & { partial?: true })[];
}

export interface TrafficHistory {
  /** Reads the counters and closes the current interval (called every step by the timer). */
  sample(): Promise<void>;
  /** The kept intervals, plus the one running now. */
  report(): Promise<TrafficReport>;
  /** Stops the timer. */
  close(): void;
}

export interface TrafficHistoryOptions {
  /** Sampling step (default 10 s). */
  everyMs?: number;
  /** How many intervals are kept (default 360: an hour of 10 s steps). */
  keep?: number;
  /** false: no timer (tests call `sample` themselves). */
  timer?: boolean;
  now?: () => number;
}

interface Totals {
  at: number;
  requests: number;
  errors: number;
}

/** The request counter's totals now: every operation, split by status. */
async function readTotals(registry: Registry, at: number): Promise<Totals> {
  const metric = registry.getSingleMetric(REQUESTS_METRIC);
  const { values } = metric ? await metric.get() : { values: [] };
  let requests = 0;
  let errors = 0;
  for (const v of values) {
    requests += v.value;
    if (v.labels.status === 'error') errors += v.value;
  }
  return { at, requests, errors };
}

function point(from: Totals, to: Totals): TrafficPoint {
  const seconds = Math.max(0.001, (to.at - from.at) / 1000);
  const requests = Math.max(0, to.requests - from.requests);
  const errors = Math.max(0, to.errors - from.errors);
  return { at: new Date(to.at).toISOString(), seconds: Math.round(seconds * 1000) / 1000, requests, errors, rps: requests / seconds, errorRatio: requests > 0 ? errors / requests : null };
}

/**
 * A small in-memory ring of this gateway's requests per second and error ratio, sampled
 * every `everyMs` from its own Prometheus counter (the same numbers `/metrics` serves, so
 * the chart and Prometheus agree). Per process, like the counter: behind several replicas
 * each answers for itself — Prometheus and the Grafana dashboard in deploy/ sum them. Kept
 * in memory on purpose: an hour of 10 s steps is 360 numbers, lost with the process as the
 * counters are.
 */
export function trafficHistory(registry: Registry, options: TrafficHistoryOptions = {}): TrafficHistory {
  const everyMs = options.everyMs ?? 10_000;
  const keep = options.keep ?? 360;
  const now = options.now ?? Date.now;
  const ring: TrafficPoint[] = [];
  let last: Promise<Totals> = readTotals(registry, now());
  // Awaited only by the first sample or report: a registry that cannot be read must fail
  // those (the route answers 500), not crash the process as an unhandled rejection now.
  last.catch(() => undefined);
  const sample = async () => {
    // Chained, so two samples never read the same baseline.
    const next = last.then(
      async (from) => {
        const to = await readTotals(registry, now());
        ring.push(point(from, to));
        if (ring.length > keep) ring.splice(0, ring.length - keep);
        return to;
      },
      // No baseline (the last read failed): this read becomes one, with no point of its own.
      () => readTotals(registry, now()),
    );
    last = next;
    next.catch(() => undefined); // the same: reported by this call, not again by the next one
    await next;
  };
  const timer = options.timer === false ? undefined : setInterval(() => void sample().catch(() => undefined), everyMs);
  timer?.unref();
  return {
    sample,
    async report() {
      const from = await last;
      const current = point(from, await readTotals(registry, now()));
      return { stepSeconds: everyMs / 1000, points: [...ring, { ...current, partial: true as const }] };
    },
    close: () => clearInterval(timer),
  };
}
