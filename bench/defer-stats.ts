/**
 * The @defer benchmark's arithmetic and checks, kept pure (unit-tested in
 * defer-stats.test.ts): what a correct streamed answer of the deferred query looks like,
 * and the percentiles and ratios of one concurrency level.
 */
import { percentile, ratio } from './stats';

export interface P50P99 {
  p50: number;
  p99: number;
}

/** The deferred query's answer as it arrived: its parts, and when (ms after the request was sent). */
export interface DeferTiming {
  /** Request sent → initial payload (first part) parsed, ms. */
  firstMs: number;
  /** Request sent → last part (`hasNext: false`) parsed, ms. */
  lastMs: number;
  parts: number;
}

/** One concurrency level: the same query without @defer, and with it, N requests each. */
export interface DeferLevel {
  concurrency: number;
  /** Requests measured per variant (answered correctly; failures in `errors`). */
  requests: number;
  plain: { totalMs: P50P99; errors: number; cpuMsPerRequest: number | null };
  deferred: { firstMs: P50P99; lastMs: P50P99; errors: number; cpuMsPerRequest: number | null; partsMedian: number };
  /** Time to first payload with @defer ÷ time to the whole answer without it (p50 over p50, p99 over p99). */
  ratio: { p50: number | null; p99: number | null };
  /** What failed, grouped by reason. */
  failures: Record<string, number>;
}

const spread = (values: readonly number[]): P50P99 => ({ p50: round1(percentile(values, 50)), p99: round1(percentile(values, 99)) });
const round1 = (n: number) => (Number.isFinite(n) ? Math.round(n * 10) / 10 : n);
const round2 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);

/** Reduces one level's measurements. `cpuMs` is the gateway's CPU time during each variant's requests (null: unknown). */
export function summarizeDeferLevel(input: {
  concurrency: number;
  plainTotals: readonly number[];
  deferred: readonly DeferTiming[];
  plainErrors: number;
  deferredErrors: number;
  cpuMs: { plain: number | null; deferred: number | null };
  failures?: Record<string, number>;
}): DeferLevel {
  const plain = spread(input.plainTotals);
  const first = spread(input.deferred.map((d) => d.firstMs));
  const last = spread(input.deferred.map((d) => d.lastMs));
  const perRequest = (cpu: number | null, n: number) => (cpu === null || n === 0 ? null : round2(cpu / n));
  const parts = input.deferred.map((d) => d.parts).sort((a, b) => a - b);
  return {
    concurrency: input.concurrency,
    requests: Math.min(input.plainTotals.length, input.deferred.length),
    plain: { totalMs: plain, errors: input.plainErrors, cpuMsPerRequest: perRequest(input.cpuMs.plain, input.plainTotals.length) },
    deferred: {
      firstMs: first,
      lastMs: last,
      errors: input.deferredErrors,
      cpuMsPerRequest: perRequest(input.cpuMs.deferred, input.deferred.length),
      partsMedian: parts.length ? parts[Math.floor((parts.length - 1) / 2)] : 0,
    },
    ratio: { p50: round2(ratio(first.p50, plain.p50)), p99: round2(ratio(first.p99, plain.p99)) },
    failures: input.failures ?? {},
  };
}

/**
 * Why the parts of the deferred bookings query are not a correct answer, or null when they
 * are: the initial payload has `hasNext: true` and `bookingsExpected` bookings with their
 * status and nothing deferred; the later parts carry, in all, one deferred fragment per
 * booking with workspace, location, user and payment, no errors, and the last says
 * `hasNext: false`.
 */
export function checkDeferredParts(parts: readonly any[], bookingsExpected: number): string | null {
  if (!parts.length) return 'no part';
  const [initial, ...rest] = parts;
  if (initial?.errors?.length) return `initial payload has errors: ${JSON.stringify(initial.errors).slice(0, 200)}`;
  if (initial?.hasNext !== true) return `initial payload has hasNext ${JSON.stringify(initial?.hasNext)}, expected true`;
  const edges = initial?.data?.me?.bookings?.edges;
  if (!Array.isArray(edges) || edges.length !== bookingsExpected) return `initial payload has ${Array.isArray(edges) ? edges.length : 'no'} bookings, expected ${bookingsExpected}`;
  if (edges.some((e: any) => !e?.node?.status)) return 'a booking of the initial payload has no status';
  if (edges.some((e: any) => e?.node?.workspace !== undefined)) return 'the initial payload already has the deferred fields';
  if (!rest.length) return 'no deferred part';
  let fragments = 0;
  for (const part of rest) {
    if (part?.errors?.length) return `a subsequent part has errors: ${JSON.stringify(part.errors).slice(0, 200)}`;
    for (const item of part?.incremental ?? []) {
      if (item?.errors?.length) return `a deferred fragment has errors: ${JSON.stringify(item.errors).slice(0, 200)}`;
      const d = item?.data;
      if (!d?.workspace?.name || !d.workspace.location?.city || !d.user?.name || !d.payment?.status) return `incomplete deferred fragment ${JSON.stringify(d).slice(0, 200)}`;
      fragments++;
    }
  }
  if (rest.at(-1)?.hasNext !== false) return 'the last part does not say hasNext: false';
  if (rest.slice(0, -1).some((p) => p?.hasNext !== true)) return 'a part before the last says hasNext: false';
  return fragments === bookingsExpected ? null : `${fragments} deferred fragments, expected ${bookingsExpected}`;
}
