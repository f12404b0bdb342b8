/**
 * The cache benchmark's arithmetic, kept pure (unit-tested in cache-stats.test.ts): the
 * versions a read saw, the ledger that tells a stale read from a read in the invalidation
 * window, and the hit ratio from the gateway's cache counters.
 *
 * The writer renames workspaces to `<base name> @v<n>` (n = 1, 2, …; no suffix is version
 * 0). For each version the ledger records when its mutation was sent, answered (the commit
 * is before the answer) and relayed (the gateways' invalidation of that workspace heard on
 * the cache's pub/sub channel). A read that started after version v was relayed and still
 * shows a version < v is **stale**: the cache served what its invalidation should have
 * removed. A read that started after v was answered but before it was relayed and shows
 * an older version is a **window** read: expected, the event was not relayed yet.
 */
import { metricSum } from './fanout-stats';
import type { CacheQueryId } from './args';
import { percentile, ratio, type Sample, type Summary } from './stats';

const VERSIONED = /^(.*) @v(\d+)$/;

/** A workspace name as the writer writes it: its base name and version (0 without suffix). */
export function parseVersioned(name: string): { base: string; version: number } {
  const match = VERSIONED.exec(name);
  return match ? { base: match[1], version: Number(match[2]) } : { base: name, version: 0 };
}

export const versionedName = (base: string, version: number) => (version === 0 ? base : `${base} @v${version}`);

/**
 * The version of each known workspace a GraphQL answer shows: every `name` string anywhere
 * in it whose base is in `known`; a workspace seen more than once (query (b): several
 * bookings of one workspace) counts with its oldest version.
 */
export function versionsSeen(data: unknown, known: ReadonlySet<string>): Map<string, number> {
  const seen = new Map<string, number>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (!value || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'name' && typeof child === 'string') {
        const { base, version } = parseVersioned(child);
        if (known.has(base)) seen.set(base, Math.min(version, seen.get(base) ?? version));
      } else if (child && typeof child === 'object') {
        walk(child);
      }
    }
  };
  walk(data);
  return seen;
}

interface VersionRecord {
  version: number;
  sentAt: number;
  answeredAt?: number;
  relayedAt?: number;
}

export type ReadVerdict = 'fresh' | 'window' | 'stale';

/** One stale observation: which workspace, the version seen, the one expected, how long after its relay the read started (ms). */
export interface StaleExample {
  workspace: string;
  seen: number;
  expected: number;
  afterRelayMs: number;
}

/** The reads of one sample, by verdict. */
export interface ReadTally {
  /** Answers read and checked (with at least one written workspace in them). */
  reads: number;
  stale: number;
  window: number;
  /** Workspaces (entries of reads) that were stale: a read can hold several. */
  staleEntries: number;
  /** The first few stale observations, for the report. */
  examples: StaleExample[];
}

export const emptyTally = (): ReadTally => ({ reads: 0, stale: 0, window: 0, staleEntries: 0, examples: [] });

export function addTallies(tallies: readonly ReadTally[]): ReadTally {
  const total = emptyTally();
  for (const t of tallies) {
    total.reads += t.reads;
    total.stale += t.stale;
    total.window += t.window;
    total.staleEntries += t.staleEntries;
    total.examples.push(...t.examples.slice(0, Math.max(0, 5 - total.examples.length)));
  }
  return total;
}

/** Every version the writer wrote, per workspace (its base name), and when each was sent, answered and relayed. Times in ms on one clock. */
export class StaleLedger {
  private readonly versions = new Map<string, VersionRecord[]>();

  /** The workspaces written, by base name. */
  get known(): ReadonlySet<string> {
    return new Set(this.versions.keys());
  }

  /** A workspace the writer will rename (its current name is version 0, as committed long ago). */
  track(base: string): void {
    if (!this.versions.has(base)) this.versions.set(base, [{ version: 0, sentAt: -Infinity, answeredAt: -Infinity, relayedAt: -Infinity }]);
  }

  /** The next version of `base` to write. */
  nextVersion(base: string): number {
    const list = this.versions.get(base);
    if (!list) throw new Error(`workspace "${base}" is not tracked`);
    return list[list.length - 1].version + 1;
  }

  sent(base: string, version: number, at: number): void {
    this.track(base);
    this.versions.get(base)!.push({ version, sentAt: at });
  }

  answered(base: string, version: number, at: number): void {
    const record = this.versions.get(base)?.find((r) => r.version === version);
    if (record) record.answeredAt = at;
  }

  /** The mutation failed: the version was never committed (as far as anyone knows), so it is forgotten. */
  failed(base: string, version: number): void {
    const list = this.versions.get(base);
    if (list) this.versions.set(base, list.filter((r) => r.version !== version));
  }

  /**
   * An invalidation of `base` heard at `at`: it relays the oldest version sent before it
   * and not relayed yet (events are handled in the stream's order); returns that version,
   * or undefined when none was waiting (an invalidation of another cause).
   */
  relayed(base: string, at: number): number | undefined {
    const record = this.versions.get(base)?.find((r) => r.relayedAt === undefined && r.sentAt <= at);
    if (!record) return undefined;
    record.relayedAt = at;
    return record.version;
  }

  /**
   * The verdict on a read that started at `startedAt` and showed `seen` (versions by base
   * name): stale if any workspace shows a version older than one relayed before the read
   * started; else window if any shows one older than one committed (answered) before it;
   * else fresh. Counted into `tally`.
   */
  read(startedAt: number, seen: ReadonlyMap<string, number>, tally?: ReadTally): ReadVerdict {
    let verdict: ReadVerdict = 'fresh';
    const examples: StaleExample[] = [];
    let staleEntries = 0;
    for (const [base, version] of seen) {
      const list = this.versions.get(base);
      if (!list) continue;
      let relayed: VersionRecord | undefined;
      let committed = -1;
      for (const r of list) {
        if (r.relayedAt !== undefined && r.relayedAt < startedAt && (!relayed || r.version > relayed.version)) relayed = r;
        if (r.answeredAt !== undefined && r.answeredAt < startedAt) committed = Math.max(committed, r.version);
      }
      if (relayed && version < relayed.version) {
        verdict = 'stale';
        staleEntries++;
        examples.push({ workspace: base, seen: version, expected: relayed.version, afterRelayMs: Math.round((startedAt - relayed.relayedAt!) * 10) / 10 });
      } else if (version < committed && verdict === 'fresh') {
        verdict = 'window';
      }
    }
    if (tally && seen.size > 0) {
      tally.reads++;
      if (verdict === 'stale') tally.stale++;
      if (verdict === 'window') tally.window++;
      tally.staleEntries += staleEntries;
      tally.examples.push(...examples.slice(0, Math.max(0, 5 - tally.examples.length)));
    }
    return verdict;
  }

  /** Versions written (answered), relayed, and the latency from answered to relayed (ms; negative when the invalidation was heard before the answer). */
  relaySummary(): { written: number; relayed: number; notRelayed: number; relayMs: { p50: number | null; p99: number | null; max: number | null } } {
    const written = [...this.versions.values()].flat().filter((r) => r.version > 0 && r.answeredAt !== undefined);
    const latencies = written.filter((r) => r.relayedAt !== undefined).map((r) => r.relayedAt! - r.answeredAt!);
    const round = (n: number) => (Number.isFinite(n) ? Math.round(n * 10) / 10 : null);
    return {
      written: written.length,
      relayed: latencies.length,
      notRelayed: written.length - latencies.length,
      relayMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: latencies.length ? round(Math.max(...latencies)) : null },
    };
  }
}

/** The cache counters of the gateway's /metrics that the benchmark reads. */
export interface CacheCounters {
  /** Entities answered from the entity cache (any tier). */
  entityHits: number;
  /** … of which from the process's memory tier. */
  memoryHits: number;
  entityMisses: number;
  /** Whole responses answered from the response cache; null when the gateway has no such counter. */
  responseHits: number | null;
  responseMisses: number | null;
  invalidations: number;
}

/** Reads {@link CacheCounters} from a Prometheus text (absent counters are 0; the response cache's null when the gateway has none). */
export function cacheCounters(text: string): CacheCounters {
  // A labelled counter is only exported once counted: the response cache is there when any of its metrics is (its misses have no label).
  const responses = text.includes('atrium_response_cache_');
  return {
    entityHits: metricSum(text, 'atrium_cache_hits_total') ?? 0,
    memoryHits: metricSum(text, 'atrium_cache_hits_total', 'tier="memory"') ?? 0,
    entityMisses: metricSum(text, 'atrium_cache_misses_total') ?? 0,
    responseHits: responses ? (metricSum(text, 'atrium_response_cache_hits_total') ?? 0) : null,
    responseMisses: responses ? (metricSum(text, 'atrium_response_cache_misses_total') ?? 0) : null,
    invalidations: metricSum(text, 'atrium_cache_invalidations_total') ?? 0,
  };
}

/** `after − before`, counter by counter (a response counter absent from either is null). */
export function counterDelta(before: CacheCounters, after: CacheCounters): CacheCounters {
  const d = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);
  return {
    entityHits: after.entityHits - before.entityHits,
    memoryHits: after.memoryHits - before.memoryHits,
    entityMisses: after.entityMisses - before.entityMisses,
    responseHits: d(after.responseHits, before.responseHits),
    responseMisses: d(after.responseMisses, before.responseMisses),
    invalidations: after.invalidations - before.invalidations,
  };
}

export function addCounters(list: readonly CacheCounters[]): CacheCounters {
  const sum = (pick: (c: CacheCounters) => number) => list.reduce((t, c) => t + pick(c), 0);
  const nullable = (pick: (c: CacheCounters) => number | null) => (list.length && list.every((c) => pick(c) !== null) ? list.reduce((t, c) => t + pick(c)!, 0) : null);
  return {
    entityHits: sum((c) => c.entityHits),
    memoryHits: sum((c) => c.memoryHits),
    entityMisses: sum((c) => c.entityMisses),
    responseHits: nullable((c) => c.responseHits),
    responseMisses: nullable((c) => c.responseMisses),
    invalidations: sum((c) => c.invalidations),
  };
}

/** Hits over lookups: of the entity cache, and of the response cache (null when it has no counters or no lookups). */
export function hitRatios(c: CacheCounters): { entity: number | null; response: number | null } {
  const r = (hits: number | null, misses: number | null) => (hits === null || misses === null ? null : ratio(hits, hits + misses));
  return { entity: r(c.entityHits, c.entityMisses), response: r(c.responseHits, c.responseMisses) };
}

/** `off`: CACHE=off; `on`: CACHE=redis while the writer renames; `on-quiet`: the same gateway while the writer pauses. */
export type CacheVariant = 'off' | 'on' | 'on-quiet';

export interface CacheSample extends Sample {
  /** The gateway's cache counters over the sample (zero with the cache off). */
  counters: CacheCounters;
  /** What the sample's answers showed of the written workspaces. */
  reads: ReadTally;
}

export interface CacheCell {
  query: CacheQueryId;
  variant: CacheVariant;
  status: 'ok' | 'error';
  reason?: string;
  samples: CacheSample[];
  summary?: Summary & { counters: CacheCounters; hitRatio: { entity: number | null; response: number | null }; reads: ReadTally };
}

export interface CacheRatioRow {
  query: CacheQueryId;
  /** The cache-on variant over cache off (absent in results written before `on-quiet`: on). */
  variant?: Exclude<CacheVariant, 'off'>;
  rps: number | null;
  p50: number | null;
  p99: number | null;
  cpu: number | null;
}

/** Each cache-on variant over cache off, per query: req/s, p50, p99, gateway CPU ms per request. */
export function cacheRatios(cells: readonly CacheCell[]): CacheRatioRow[] {
  const queries = [...new Set(cells.map((c) => c.query))];
  const find = (query: CacheQueryId, variant: CacheVariant) => cells.find((c) => c.query === query && c.variant === variant && c.status === 'ok')?.summary;
  const r = (a: number | null | undefined, b: number | null | undefined) => {
    const v = ratio(a, b);
    return v === null ? null : Math.round(v * 100) / 100;
  };
  return queries.flatMap((query) =>
    (['on', 'on-quiet'] as const).flatMap((variant) => {
      const on = find(query, variant);
      const off = find(query, 'off');
      if (!on || !off) return [];
      return [{ query, variant, rps: r(on.rps, off.rps), p50: r(on.p50, off.p50), p99: r(on.p99, off.p99), cpu: r(on.cpuMsPerRequest, off.cpuMsPerRequest) }];
    }),
  );
}

/** How the report names a variant. */
export const VARIANT_LABELS: Record<CacheVariant, string> = { off: 'off', on: 'on (redis), writer', 'on-quiet': 'on (redis), no writes' };

export const fmtShare = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);
