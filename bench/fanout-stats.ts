/**
 * The fan-out benchmark's arithmetic, kept pure (unit-tested in fanout-stats.test.ts):
 * delivery latencies from arrival times, memory per subscriber, medians over repeats, the
 * gateway's Prometheus counters, and the open-files budget.
 */
import { median, percentile } from './stats';

export interface Spread {
  p50: number;
  p99: number;
  max: number;
}

/** One event fanned out to every subscriber, as the load generator saw it. */
export interface ArrivalStats {
  subscribers: number;
  /** Subscribers that received the event. */
  received: number;
  /** Arrival − the moment the mutation was sent, ms, over the subscribers that received it. */
  fromSend: Spread;
  /** Arrival − the first arrival, ms: how long fanning out to everyone took. */
  fromFirst: Spread;
}

const spreadOf = (values: number[]): Spread => ({
  p50: percentile(values, 50),
  p99: percentile(values, 99),
  max: values.length ? Math.max(...values) : Number.NaN,
});

/**
 * Latency percentiles of one event's arrivals. `arrivals[i]` is when subscriber i got it
 * (same clock as `sentAt`, ms), or NaN / undefined when it did not.
 */
export function arrivalStats(sentAt: number, arrivals: ArrayLike<number | undefined>): ArrivalStats {
  const got: number[] = [];
  for (let i = 0; i < arrivals.length; i++) {
    const at = arrivals[i];
    if (at !== undefined && Number.isFinite(at)) got.push(at);
  }
  let first = Number.POSITIVE_INFINITY;
  for (const at of got) if (at < first) first = at;
  return {
    subscribers: arrivals.length,
    received: got.length,
    fromSend: spreadOf(got.map((at) => at - sentAt)),
    fromFirst: spreadOf(got.map((at) => at - first)),
  };
}

/** (RSS with the subscriptions open − RSS before) / N, in KiB per subscriber; null when unknown. */
export function memoryPerSubscriber(rssBeforeKb: number | null, rssOpenKb: number | null, subscribers: number): number | null {
  if (rssBeforeKb === null || rssOpenKb === null || !(subscribers > 0)) return null;
  return (rssOpenKb - rssBeforeKb) / subscribers;
}

/** What the summary of one configuration (gateway mode × N) keeps of each repeated event. */
export interface RepeatLike {
  received: number;
  fromSend: Spread;
  fromFirst: Spread;
  /** The gateway's CPU time while delivering, ms. */
  gatewayCpuMs: number | null;
}

export interface RepeatSummary {
  repeats: number;
  /** The fewest subscribers any repeat reached (correct: N in every repeat). */
  minReceived: number;
  fromSend: Spread;
  fromFirst: Spread;
  gatewayCpuMs: number | null;
}

/** Medians over the repeats of each latency figure; the fewest received. */
export function summarizeRepeats(repeats: readonly RepeatLike[]): RepeatSummary {
  const med = (pick: (r: RepeatLike) => number) => median(repeats.map(pick));
  const cpu = repeats.map((r) => r.gatewayCpuMs).filter((v): v is number => v !== null);
  return {
    repeats: repeats.length,
    minReceived: repeats.length ? Math.min(...repeats.map((r) => r.received)) : 0,
    fromSend: { p50: med((r) => r.fromSend.p50), p99: med((r) => r.fromSend.p99), max: med((r) => r.fromSend.max) },
    fromFirst: { p50: med((r) => r.fromFirst.p50), p99: med((r) => r.fromFirst.p99), max: med((r) => r.fromFirst.max) },
    gatewayCpuMs: cpu.length ? median(cpu) : null,
  };
}

/**
 * The sum of every sample of metric `name` in a Prometheus text exposition (all label
 * sets; `filter` narrows them, e.g. `service="booking"`); null when there is none.
 */
export function metricSum(text: string, name: string, filter?: string): number | null {
  let total: number | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue; // another metric sharing the prefix
    if (filter && !rest.includes(filter)) continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

/** Sockets needed for `subscribers` subscriptions, `perSocket` on each. */
export const socketsFor = (subscribers: number, perSocket: number) => Math.ceil(subscribers / Math.max(1, perSocket));

/** Descriptors a process needs besides the subscribers' sockets (its own files, Redis, PostgreSQL, subgraph pools…). */
export const OPEN_FILES_MARGIN = 512;

/** The soft and hard "Max open files" of a /proc/<pid>/limits text; null when absent. */
export function openFilesLimit(limitsText: string): { soft: number; hard: number } | null {
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limitsText);
  if (!match) return null;
  const value = (s: string) => (s === 'unlimited' ? Number.POSITIVE_INFINITY : Number(s));
  return { soft: value(match[1]), hard: value(match[2]) };
}

/**
 * Connections the largest configuration holds: WebSockets carry `perSocket` subscriptions
 * each, an HTTP subscription (multipart, SSE) is one request on a connection of its own.
 */
export function connectionsNeeded(options: {
  transports: readonly string[];
  sizes: readonly number[];
  dedupOffSizes: readonly number[];
  httpSizes: readonly number[];
  perSocket: number;
}): { connections: number; websocket: boolean } {
  const ws = options.transports.includes('websocket') ? socketsFor(Math.max(0, ...options.sizes, ...options.dedupOffSizes), options.perSocket) : 0;
  const http = options.transports.some((t) => t !== 'websocket') ? Math.max(0, ...options.httpSizes) : 0;
  return { connections: Math.max(ws, http), websocket: ws >= http };
}

/**
 * Why `ulimit -n` (soft limit `soft`) is too low for `sockets` connections (WebSockets, or
 * HTTP streams with `http`), held both by the load generator and by the gateway (which
 * inherits the limit); null when it is enough.
 */
export function openFilesProblem(soft: number, sockets: number, http = false): string | null {
  const needed = sockets + OPEN_FILES_MARGIN;
  if (soft >= needed) return null;
  return (
    `ulimit -n is ${soft}, but ${sockets.toLocaleString('en-US')} ${http ? 'HTTP subscription streams' : 'WebSockets'} need at least ${needed.toLocaleString('en-US')} open files ` +
    `in the load generator and in the gateway (which inherits the limit): raise it (e.g. \`ulimit -n 65536\` in this shell, or LimitNOFILE for a service), ` +
    (http
      ? 'or pick smaller --fanout-http-sizes (each HTTP subscriber is a connection of its own)'
      : `or put more subscriptions on each socket (--fanout-per-socket, at most the gateway's SUBSCRIPTIONS_PER_CONNECTION), or pick smaller --fanout-sizes`)
  );
}
