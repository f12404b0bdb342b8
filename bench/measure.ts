/**
 * One load sample: autocannon (programmatic, in this process — which only generates load)
 * against one target's GraphQL endpoint with one fixed request, plus the target process's
 * peak RSS and CPU time over the sample.
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { metricSum } from './fanout-stats';
import { fetchMetrics } from './live-metrics';
import { cpuSeconds, procStatusKb, resetPeakRss } from './processes';
import type { GraphQLResult } from './seed';
import type { Sample } from './stats';

export interface LoadRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** autocannon replaces this with a unique id in every request it sends (idReplacement). */
export const UNIQUE_ID = '[<id>]';

export function loadRequest(url: string, query: string, variables: Record<string, unknown> | undefined, token: string | undefined, distinct = true): LoadRequest {
  return {
    url,
    body: JSON.stringify({ query, variables: variables ?? {} }),
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      // A request id of its own per request, as a tracing client or an ingress adds: every
      // gateway forwards it, so concurrent requests never make identical subgraph fetches.
      ...(distinct ? { 'x-request-id': `bench-${UNIQUE_ID}` } : {}),
    },
  };
}

const isDistinct = (request: LoadRequest) => request.headers['x-request-id']?.includes(UNIQUE_ID) ?? false;

/** Sends the request once, as a client would, and returns the parsed answer. */
export async function probe(request: LoadRequest): Promise<GraphQLResult> {
  const headers = isDistinct(request) ? { ...request.headers, 'x-request-id': `bench-probe-${Date.now()}` } : request.headers;
  const res = await fetch(request.url, { method: 'POST', headers, body: request.body, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  try {
    return { status: res.status, ...(JSON.parse(text) as object) };
  } catch {
    return { status: res.status, errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] };
  }
}

export interface LoadOptions {
  connections: number;
  /** Seconds. */
  duration: number;
  /** The target process, for RSS and CPU. */
  pid: number;
  /** Other processes whose CPU use to record (the subgraphs: where the time goes). */
  watch?: { name: string; pid: number }[];
  /**
   * Atrium's gateway: its GraphQL URL, whose `/metrics` tell how many subgraph fetches it
   * sent and how many it answered from an identical one in flight (SUBGRAPH_DEDUP).
   */
  atriumMetricsUrl?: string;
  /**
   * Hears every answer with when its request was sent (performance.now(), stamped as
   * autocannon writes it; one request in flight per connection) and its body: the cache
   * benchmark checks what each read saw. Costs a callback per request in this process.
   */
  onAnswer?: (sentAt: number, status: number, body: string) => void;
}

/** Subgraph fetches Atrium's gateway sent, and those it shared with an identical one in flight, from its metrics; null when unreadable. */
async function atriumFetches(graphqlUrl: string | undefined): Promise<{ sent: number; deduplicated: number } | null> {
  if (!graphqlUrl) return null;
  try {
    const text = await fetchMetrics(graphqlUrl);
    return { sent: metricSum(text, 'atrium_subgraph_requests_total') ?? 0, deduplicated: metricSum(text, 'atrium_subgraph_fetches_deduplicated_total') ?? 0 };
  } catch {
    return null;
  }
}

/** A 2xx answer with a GraphQL `errors` member counts as an error, not a success. */
const hasNoErrors = (body: unknown): boolean => typeof body !== 'string' || !body.includes('"errors":');

/**
 * An autocannon request that stamps when it is built — right before it is written, as each
 * connection sends its next request after the previous answer (pipelining 1) — and hands
 * that time with the answer to `onAnswer`. The stamp lives in the connection's context,
 * which autocannon resets before building each request of a one-request list.
 */
function timedRequest(onAnswer: NonNullable<LoadOptions['onAnswer']>) {
  return {
    setupRequest: (req: autocannon.Request, context: object) => {
      (context as { sentAt?: number }).sentAt = performance.now();
      return req;
    },
    onResponse: (status: number, body: string, context: object) => onAnswer((context as { sentAt: number }).sentAt, status, body),
  };
}

/** Runs autocannon for `duration` seconds and reduces its result to a {@link Sample}. */
export async function runLoad(request: LoadRequest, options: LoadOptions, round: number): Promise<Sample> {
  // Read before the CPU time starts counting and after it stops: the scrape is not the sample's work.
  const fetchesBefore = await atriumFetches(options.atriumMetricsUrl);
  resetPeakRss(options.pid); // peak RSS of this sample only, where the kernel allows it
  const cpuBefore = cpuSeconds(options.pid);
  const watchedBefore = (options.watch ?? []).map((w) => cpuSeconds(w.pid));
  const started = process.hrtime.bigint();
  const result = await autocannon({
    url: request.url,
    method: 'POST',
    headers: request.headers,
    body: request.body,
    connections: options.connections,
    duration: options.duration,
    timeout: 10,
    idReplacement: isDistinct(request),
    verifyBody: hasNoErrors,
    ...(options.onAnswer ? { requests: [timedRequest(options.onAnswer)] } : {}),
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = cpuSeconds(options.pid);
  const processCpu: Record<string, number> = {};
  (options.watch ?? []).forEach((w, i) => {
    const before = watchedBefore[i];
    const after = cpuSeconds(w.pid);
    if (before !== null && after !== null) processCpu[w.name] = Math.round(((after - before) / elapsed) * 1000) / 10;
  });
  const cpuUsed = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  const hwm = procStatusKb(options.pid, 'VmHWM');
  const fetchesAfter = fetchesBefore ? await atriumFetches(options.atriumMetricsUrl) : null;
  const responses = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  const ok = Math.max(0, result['2xx'] - result.mismatches);
  return {
    round,
    rps: ok / (result.duration || options.duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    responses,
    non2xx: result.non2xx,
    graphqlErrors: result.mismatches,
    socketErrors: result.errors,
    // Without a reset the peak covers the whole life of the process: still an upper bound.
    peakRssMb: hwm === null ? null : Math.round((hwm / 1024) * 10) / 10,
    cpuPercent: cpuUsed === null ? null : Math.round((cpuUsed / elapsed) * 1000) / 10,
    cpuMsPerRequest: cpuUsed === null || ok === 0 ? null : Math.round((cpuUsed / ok) * 1e5) / 100,
    processCpu,
    ...(fetchesBefore && fetchesAfter
      ? { subgraphFetches: { sent: fetchesAfter.sent - fetchesBefore.sent, deduplicated: fetchesAfter.deduplicated - fetchesBefore.deduplicated } }
      : {}),
  };
}
