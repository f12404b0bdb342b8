/**
 * The benchmark's arithmetic, kept pure (unit-tested in stats.test.ts): medians over
 * rounds, percentiles of a list, ratios between targets, and the tally of a contention
 * burst.
 */

/** The median of `values` (mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return Number.NaN;
  const sorted = [...finite].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The `p`-th percentile (0 < p ≤ 100) by nearest rank: the smallest value with at least
 * p % of the values at or below it. NaN when empty.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return Number.NaN;
  const sorted = [...finite].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)];
}

/** `a / b`, or null when either is missing, not finite, or `b` is zero. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

/** What one autocannon sample of one target and query measured. */
export interface Sample {
  round: number;
  /** Responses per second that were HTTP 2xx without GraphQL `errors`. */
  rps: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  /** Every response received. */
  responses: number;
  non2xx: number;
  /** 2xx responses whose body carried GraphQL `errors`. */
  graphqlErrors: number;
  /** Connection errors and timeouts. */
  socketErrors: number;
  /** The target process's peak resident set during the sample (VmHWM), in MiB; null if unknown. */
  peakRssMb: number | null;
  /** CPU the target process used during the sample, in % of one core; null if unknown. */
  cpuPercent: number | null;
  /** The target's CPU time per successful response, in ms: its cost per request, whatever limits the rate. */
  cpuMsPerRequest: number | null;
  /** CPU % of one core each other watched process (the subgraphs) used during the sample. */
  processCpu?: Record<string, number>;
  /**
   * Atrium's gateway only: subgraph fetches it sent during the sample, and those it answered
   * from an identical one in flight instead (SUBGRAPH_DEDUP: same body and Authorization).
   */
  subgraphFetches?: { sent: number; deduplicated: number };
}

/** The medians over rounds that the table, chart and ratios use. */
export interface Summary {
  rounds: number;
  rps: number;
  p50: number;
  p99: number;
  /** Sums over every round. */
  responses: number;
  non2xx: number;
  graphqlErrors: number;
  socketErrors: number;
  /** The highest peak of any round (the memory a target needs), in MiB. */
  peakRssMb: number | null;
  cpuPercent: number | null;
  cpuMsPerRequest: number | null;
  /** Median CPU % of each other watched process (where the time went). */
  processCpu: Record<string, number>;
  /** Atrium's subgraph fetches sent and shared over every round (absent for other targets). */
  subgraphFetches?: { sent: number; deduplicated: number };
}

/** Medians of rate and latency over the rounds; error counts summed; RSS the maximum. */
export function summarize(samples: readonly Sample[]): Summary {
  const sum = (pick: (s: Sample) => number) => samples.reduce((total, s) => total + pick(s), 0);
  const rss = samples.map((s) => s.peakRssMb).filter((v): v is number => v !== null);
  const cpu = samples.map((s) => s.cpuPercent).filter((v): v is number => v !== null);
  const cpuPerRequest = samples.map((s) => s.cpuMsPerRequest).filter((v): v is number => v !== null);
  const names = [...new Set(samples.flatMap((s) => Object.keys(s.processCpu ?? {})))];
  const processCpu = Object.fromEntries(
    names.map((name) => [name, median(samples.map((s) => s.processCpu?.[name]).filter((v): v is number => v !== undefined))]),
  );
  return {
    rounds: samples.length,
    rps: median(samples.map((s) => s.rps)),
    p50: median(samples.map((s) => s.p50)),
    p99: median(samples.map((s) => s.p99)),
    responses: sum((s) => s.responses),
    non2xx: sum((s) => s.non2xx),
    graphqlErrors: sum((s) => s.graphqlErrors),
    socketErrors: sum((s) => s.socketErrors),
    peakRssMb: rss.length ? Math.max(...rss) : null,
    cpuPercent: cpu.length ? median(cpu) : null,
    cpuMsPerRequest: cpuPerRequest.length ? median(cpuPerRequest) : null,
    processCpu,
    ...(samples.some((s) => s.subgraphFetches)
      ? {
          subgraphFetches: {
            sent: sum((s) => s.subgraphFetches?.sent ?? 0),
            deduplicated: sum((s) => s.subgraphFetches?.deduplicated ?? 0),
          },
        }
      : {}),
  };
}

/** One cell of the result grid: a target answering a query. */
export interface Cell {
  target: string;
  query: string;
  /** `error`: the target answered the query with errors before measuring, so it was not measured. */
  status: 'ok' | 'error' | 'skipped';
  /** Why it is `error` / `skipped`. */
  reason?: string;
  samples: Sample[];
  summary?: Summary;
}

/** The reference target every ratio divides by, and the targets it is compared with. */
export interface RatioRow {
  query: string;
  /** e.g. `atrium/stock`. */
  name: string;
  /** Throughput ratio (median rps of the first over the second). */
  rps: number | null;
  /** p50 latency ratio (below 1 = the first is faster). */
  p50: number | null;
  /** p99 latency ratio (below 1 = the first is faster); absent in results written before it was recorded. */
  p99?: number | null;
  /** CPU ms per request ratio (below 1 = the first costs less per request); absent in older results. */
  cpu?: number | null;
}

/** Atrium's median rps, p50, p99 and CPU ms per request over each other target's, per query (null when either is missing). */
export function ratios(cells: readonly Cell[], reference: string, others: readonly string[]): RatioRow[] {
  const queries = [...new Set(cells.map((c) => c.query))];
  const find = (target: string, query: string) => cells.find((c) => c.target === target && c.query === query && c.status === 'ok')?.summary;
  return queries.flatMap((query) =>
    others.map((other) => {
      const a = find(reference, query);
      const b = find(other, query);
      return {
        query,
        name: `${reference}/${other}`,
        rps: ratio(a?.rps, b?.rps),
        p50: ratio(a?.p50, b?.p50),
        p99: ratio(a?.p99, b?.p99),
        cpu: ratio(a?.cpuMsPerRequest, b?.cpuMsPerRequest),
      };
    }),
  );
}

/** The outcome of one request of a contention burst. */
export interface Attempt {
  /** HTTP status, or 0 when the request did not complete (connection error). */
  status: number;
  /** The `extensions.code` of the first GraphQL error, or undefined on success. */
  code?: string;
  /** Whether `data.createBooking` came back. */
  booked: boolean;
}

export interface ContentionTally {
  requests: number;
  winners: number;
  conflicts: number;
  /** Other GraphQL error codes and their counts (e.g. RATE_LIMITED, INTERNAL_SERVER_ERROR). */
  otherErrors: Record<string, number>;
  http5xx: number;
  /** Requests that got no HTTP answer at all. */
  failedRequests: number;
  /** Exactly one winner, every other caller BOOKING_CONFLICT, no 5xx. */
  correct: boolean;
}

/** Counts winners, conflicts and failures of N concurrent createBooking for one slot. */
export function tallyContention(attempts: readonly Attempt[]): ContentionTally {
  const otherErrors: Record<string, number> = {};
  let winners = 0;
  let conflicts = 0;
  let http5xx = 0;
  let failedRequests = 0;
  for (const attempt of attempts) {
    if (attempt.status === 0) failedRequests++;
    if (attempt.status >= 500) http5xx++;
    if (attempt.booked && !attempt.code) winners++;
    else if (attempt.code === 'BOOKING_CONFLICT') conflicts++;
    else if (attempt.status !== 0) {
      const code = attempt.code ?? `HTTP_${attempt.status}`;
      otherErrors[code] = (otherErrors[code] ?? 0) + 1;
    }
  }
  const requests = attempts.length;
  return {
    requests,
    winners,
    conflicts,
    otherErrors,
    http5xx,
    failedRequests,
    correct: winners === 1 && conflicts === requests - 1 && http5xx === 0 && failedRequests === 0,
  };
}

/** Distinct bookable slots for the throughput run: slot `k` never overlaps slot `j ≠ k`. */
export function slotFor(k: number, workspaces: number, baseMs: number, slotMinutes = 60, hoursPerDay = 12): { workspace: number; startsAt: string; endsAt: string } {
  if (workspaces < 1) throw new RangeError('need at least one workspace');
  const workspace = k % workspaces;
  const perWorkspace = Math.floor(k / workspaces); // the n-th slot on that workspace
  const slotsPerDay = Math.floor((hoursPerDay * 60) / slotMinutes);
  const day = Math.floor(perWorkspace / slotsPerDay);
  const within = perWorkspace % slotsPerDay;
  const start = baseMs + day * 24 * 3600_000 + within * slotMinutes * 60_000;
  return { workspace, startsAt: new Date(start).toISOString(), endsAt: new Date(start + slotMinutes * 60_000).toISOString() };
}

/** Groups failure messages that differ only by ids ("Booking 1a2b… not found" → "Booking <id> not found"). */
export function normalizeReason(reason: string): string {
  return reason.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>').slice(0, 200);
}

/** Pause before the n-th status poll (0-based): 25, 50, 100, 200 ms, then 200 ms. */
export function pollDelay(n: number): number {
  return Math.min(200, 25 * 2 ** n);
}

/** The share of subgraph fetches answered by an identical one in flight (0–1); null without fetches. */
export function dedupShare(fetches: { sent: number; deduplicated: number } | undefined): number | null {
  if (!fetches) return null;
  const total = fetches.sent + fetches.deduplicated;
  return total > 0 ? fetches.deduplicated / total : null;
}
