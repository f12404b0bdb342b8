/**
 * The @defer benchmark (`npm run bench -- defer`): through Atrium's gateway, query (b)'s
 * bookings of a member with each booking's cross-subgraph fields deferred —
 *
 *   me { bookings(first: 20) { edges { node { status ... @defer { workspace { name location { city } } user { name } payment { status } } } } } }
 *
 * asked with `Accept: multipart/mixed;deferSpec=20220824`, against the same query without
 * @defer (query (b) itself). At each concurrency, `c` clients send requests back to back;
 * each deferred answer is read as it streams in (bench/stream-parsers.ts) and timed from
 * the request sent to the chunk that completed its first part (the initial payload) and its
 * last part; the plain answer from the request sent to its whole body parsed.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { checkDeferredParts, summarizeDeferLevel, type DeferLevel, type DeferTiming } from './defer-stats';
import { cpuSeconds } from './processes';
import { QUERY_SPECS } from './queries';
import { normalizeReason } from './stats';
import { boundaryOf, MultipartReader } from './stream-parsers';

export const DEFERRED_QUERY = `query BenchNestedDeferred {
  me { bookings(first: 20) { edges { node { status ... @defer { workspace { name location { city } } user { name } payment { status } } } } } }
}`;
export const PLAIN_QUERY = QUERY_SPECS.nested.gateway.query;
/** What Apollo Client's HttpLink sends for an operation with @defer. */
export const ACCEPT_DEFER = 'multipart/mixed;deferSpec=20220824,application/json';
const BOOKINGS = 20;

export interface DeferOptions {
  /** Atrium's gateway: GraphQL URL and process id (for its CPU time). */
  gatewayUrl: string;
  gatewayPid: number;
  /** The member whose 20 bookings are asked for. */
  memberToken: string;
  concurrency: readonly number[];
  /** Requests per variant and concurrency. */
  requests: number;
  log: (message: string) => void;
}

export interface DeferResult {
  startedAt: string;
  finishedAt: string;
  loadAtStart: number[];
  loadAtEnd: number[];
  query: string;
  plainQuery: string;
  levels: DeferLevel[];
  notes: string[];
}

const loadAverage = () => os.loadavg().map((l) => Math.round(l * 100) / 100);

class RequestFailed extends Error {}

let requestCounter = 0;
const headersFor = (token: string, accept: string) => ({
  'content-type': 'application/json',
  accept,
  authorization: `Bearer ${token}`,
  // A request id of its own per request, as in the gateway comparison.
  'x-request-id': `bench-defer-${++requestCounter}`,
});

/** The plain query once: ms from sent to the whole answer parsed (and checked). */
async function plainOnce(dispatcher: Agent, options: DeferOptions): Promise<number> {
  const sent = performance.now();
  const res = await request(options.gatewayUrl, {
    method: 'POST',
    dispatcher,
    headers: headersFor(options.memberToken, 'application/json'),
    body: JSON.stringify({ query: PLAIN_QUERY }),
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const text = await res.body.text();
  let answer: { data?: unknown; errors?: { message: string }[] };
  try {
    answer = JSON.parse(text);
  } catch {
    throw new RequestFailed(`HTTP ${res.statusCode}, not JSON`);
  }
  const total = performance.now() - sent;
  if (res.statusCode !== 200 || answer.errors?.length) throw new RequestFailed(`HTTP ${res.statusCode} ${answer.errors?.[0]?.message ?? ''}`);
  const problem = QUERY_SPECS.nested.gateway.check(answer.data);
  if (problem) throw new RequestFailed(problem);
  return total;
}

/** The deferred query once, read part by part as it arrives. */
async function deferredOnce(dispatcher: Agent, options: DeferOptions): Promise<DeferTiming> {
  const sent = performance.now();
  const res = await request(options.gatewayUrl, {
    method: 'POST',
    dispatcher,
    headers: headersFor(options.memberToken, ACCEPT_DEFER),
    body: JSON.stringify({ query: DEFERRED_QUERY }),
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const boundary = boundaryOf(res.headers['content-type'] as string | undefined);
  if (res.statusCode !== 200 || !boundary) {
    const text = await res.body.text();
    throw new RequestFailed(`HTTP ${res.statusCode} ${String(res.headers['content-type'])}, not multipart: ${text.slice(0, 120)}`);
  }
  const reader = new MultipartReader(boundary);
  const decoder = new TextDecoder();
  const parts: unknown[] = [];
  let firstMs = Number.NaN;
  let lastMs = Number.NaN;
  for await (const chunk of res.body) {
    const at = performance.now(); // stamped before anything is parsed
    for (const body of reader.push(decoder.decode(chunk as Buffer, { stream: true }))) {
      parts.push(JSON.parse(body));
      if (parts.length === 1) firstMs = at - sent;
      lastMs = at - sent;
    }
  }
  const problem = checkDeferredParts(parts, BOOKINGS);
  if (problem) throw new RequestFailed(problem);
  return { firstMs, lastMs, parts: parts.length };
}

/** `count` requests by `concurrency` clients back to back; what each returned, the failures by reason, the gateway's CPU ms. */
async function phase<T>(count: number, concurrency: number, pid: number, once: () => Promise<T>) {
  const results: T[] = [];
  const failures: Record<string, number> = {};
  let next = 0;
  const cpuBefore = cpuSeconds(pid);
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        next++;
        try {
          results.push(await once());
        } catch (err) {
          const reason = normalizeReason(err instanceof Error ? err.message : String(err));
          failures[reason] = (failures[reason] ?? 0) + 1;
        }
      }
    }),
  );
  const cpuAfter = cpuSeconds(pid);
  return { results, failures, errors: Object.values(failures).reduce((a, b) => a + b, 0), cpuMs: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) * 1000 };
}

/** Every concurrency in turn: a warm-up, then two rounds of (plain, deferred), half the requests each. */
export async function runDefer(options: DeferOptions): Promise<DeferResult> {
  const startedAt = new Date().toISOString();
  const loadAtStart = loadAverage();
  const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
  const levels: DeferLevel[] = [];
  const notes: string[] = [];
  const plain = () => plainOnce(dispatcher, options);
  const deferred = () => deferredOnce(dispatcher, options);
  try {
    // A probe of each: an answer that is not correct ends this part with the reason as a note (the run goes on, and fails at the end).
    const probe = async (what: string, once: () => Promise<unknown>) =>
      once().then(
        () => null,
        (err: unknown) => `@defer benchmark not measured: ${what} answered wrong: ${err instanceof Error ? err.message : String(err)}`,
      );
    const refused = (await probe('query (b) without @defer', plain)) ?? (await probe('the deferred query', deferred));
    if (refused) {
      options.log(refused);
      notes.push(refused);
    }
    for (const c of refused ? [] : options.concurrency) {
      await phase(Math.max(5, c * 2), c, options.gatewayPid, plain);
      await phase(Math.max(5, c * 2), c, options.gatewayPid, deferred);
      const plainTotals: number[] = [];
      const timings: DeferTiming[] = [];
      const failures: Record<string, number> = {};
      let plainErrors = 0;
      let deferredErrors = 0;
      const cpu = { plain: 0 as number | null, deferred: 0 as number | null };
      const add = (into: Record<string, number>, from: Record<string, number>, prefix: string) => {
        for (const [k, v] of Object.entries(from)) into[`${prefix}: ${k}`] = (into[`${prefix}: ${k}`] ?? 0) + v;
      };
      // Interleaved, so that drift on the machine spreads over both variants.
      for (const half of [Math.ceil(options.requests / 2), Math.floor(options.requests / 2)]) {
        const p = await phase(half, c, options.gatewayPid, plain);
        plainTotals.push(...p.results);
        plainErrors += p.errors;
        add(failures, p.failures, 'without @defer');
        cpu.plain = cpu.plain === null || p.cpuMs === null ? null : cpu.plain + p.cpuMs;
        const d = await phase(half, c, options.gatewayPid, deferred);
        timings.push(...d.results);
        deferredErrors += d.errors;
        add(failures, d.failures, 'with @defer');
        cpu.deferred = cpu.deferred === null || d.cpuMs === null ? null : cpu.deferred + d.cpuMs;
      }
      const level = summarizeDeferLevel({ concurrency: c, plainTotals, deferred: timings, plainErrors, deferredErrors, cpuMs: cpu, failures });
      levels.push(level);
      options.log(
        `@defer, ${c} concurrent: without @defer p50 ${level.plain.totalMs.p50} ms p99 ${level.plain.totalMs.p99} ms; ` +
          `with @defer first part p50 ${level.deferred.firstMs.p50} ms p99 ${level.deferred.firstMs.p99} ms, last part p50 ${level.deferred.lastMs.p50} ms p99 ${level.deferred.lastMs.p99} ms ` +
          `(${level.deferred.partsMedian} parts); ratio p50 ${level.ratio.p50}×${plainErrors + deferredErrors ? `; errors ${plainErrors}/${deferredErrors}` : ''}`,
      );
      if (plainErrors + deferredErrors) notes.push(`@defer at ${c} concurrent: ${JSON.stringify(failures)}`);
    }
  } finally {
    await dispatcher.close();
  }
  return { startedAt, finishedAt: new Date().toISOString(), loadAtStart, loadAtEnd: loadAverage(), query: DEFERRED_QUERY, plainQuery: PLAIN_QUERY, levels, notes };
}
