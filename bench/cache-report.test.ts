import type { CacheResult } from './cache';
import { cacheRatios, emptyTally, hitRatios, type CacheCell, type CacheSample } from './cache-stats';
import { cacheMarkdown, formatCache, mergeReports, renderMarkdownSection, type RunReport } from './report';
import { summarize } from './stats';

const counters = (entityHits: number, entityMisses: number, response: [number, number] | null) => ({
  entityHits,
  memoryHits: Math.floor(entityHits / 2),
  entityMisses,
  responseHits: response?.[0] ?? null,
  responseMisses: response?.[1] ?? null,
  invalidations: 4,
});

function cell(query: 'single' | 'nested', variant: 'off' | 'on' | 'on-quiet', rps: number, cpu: number, hits: ReturnType<typeof counters>, stale = 0): CacheCell {
  const sample: CacheSample = {
    round: 1,
    rps,
    p50: 1000 / rps,
    p99: 4000 / rps,
    responses: rps * 6,
    non2xx: 0,
    graphqlErrors: 0,
    socketErrors: 0,
    peakRssMb: 120,
    cpuPercent: 90,
    cpuMsPerRequest: cpu,
    processCpu: { catalog: 40, identity: 3 },
    counters: hits,
    reads: { ...emptyTally(), reads: rps * 6, stale, window: 3, staleEntries: stale },
  };
  const s = summarize([sample]);
  return {
    query,
    variant,
    status: 'ok',
    samples: [sample],
    summary: { ...s, counters: hits, hitRatio: hitRatios(hits), reads: sample.reads },
  };
}

function result(responseCache: boolean, stale = 0): CacheResult {
  const cells = [
    cell('single', 'off', 500, 2, counters(0, 0, responseCache ? [0, 0] : null)),
    cell('single', 'on', 2000, 0.5, counters(0, 0, responseCache ? [11_880, 120] : null), stale),
    cell('nested', 'off', 200, 4, counters(0, 0, responseCache ? [0, 0] : null)),
    cell('nested', 'on', 300, 3, counters(9_000, 1_000, responseCache ? [0, 0] : null)),
    cell('nested', 'on-quiet', 400, 2, counters(9_990, 10, responseCache ? [0, 0] : null)),
  ];
  return {
    startedAt: '2026-12-04T17:00:00.000Z',
    finishedAt: '2026-12-04T17:02:00.000Z',
    loadAtStart: [1.5, 1, 1],
    loadAtEnd: [2.5, 1, 1],
    settings: { rounds: 3, duration: 6, warmup: 2, connections: 32, writesPerSecond: 5, atriumDedup: 'on', responseCache, cacheEnv: { CACHE: 'redis' } },
    cells,
    ratios: cacheRatios(cells),
    writer: { written: 300, failed: 0, failures: {}, relayed: 300, notRelayed: 0, relayMs: { p50: 12.5, p99: 80, max: 95 } },
    notes: [],
  };
}

describe('cache report', () => {
  it('rates cache on over off per query', () => {
    expect(result(true).ratios).toEqual([
      { query: 'single', variant: 'on', rps: 4, p50: 0.25, p99: 0.25, cpu: 0.25 },
      { query: 'nested', variant: 'on', rps: 1.5, p50: 0.67, p99: 0.67, cpu: 0.75 },
      { query: 'nested', variant: 'on-quiet', rps: 2, p50: 0.5, p99: 0.5, cpu: 0.5 },
    ]);
    expect(cacheRatios([result(true).cells[0]])).toEqual([]);
  });

  it('writes a section with the hit ratios, the reads by verdict, the writer and the ratios', () => {
    const md = cacheMarkdown(result(true)).join('\n');
    expect(md).toContain('How to read it');
    expect(md).toContain('SUBGRAPH_DEDUP on');
    expect(md).toContain('| (a) single subgraph | on (redis), writer | 2,000 | 0.5 | 2.0 | 0/0/0 | 0.50 | catalog 40 | – | 99.0 % | 12,000 | 0 | 3 |');
    expect(md).toContain('| (b) nested cross-subgraph | on (redis), writer | 300 | 3.3 | 13.3 | 0/0/0 | 3.00 | catalog 40 | 90.0 % (50.0 %) | – | 1,800 | 0 | 3 |');
    expect(md).toContain('| (a) single subgraph | on (redis), writer | 4.00× | 0.25× | 0.25× | 0.25× |');
    expect(md).toContain('| (b) nested cross-subgraph | on (redis), no writes | 400 | 2.5 | 10.0 | 0/0/0 | 2.00 | catalog 40 | 99.9 % (50.0 %) | – | 2,400 | 0 | 3 |');
    expect(md).toContain('| (b) nested cross-subgraph | on (redis), no writes | 2.00× | 0.50× | 0.50× | 0.50× |');
    expect(md).toContain('300 renames committed (0 failed), 300 of them heard invalidated');
    expect(md).toContain('p50 12.5 ms, p99 80.0 ms');
    expect(md).toContain('Stale reads in all: **0** (correct)');
    expect(md).not.toContain('no response cache yet');
  });

  it('says when the gateway had no response cache, and when reads were stale', () => {
    const md = cacheMarkdown(result(false, 2)).join('\n');
    expect(md).toContain('no response cache yet');
    expect(md).toContain('| no response cache |');
    expect(md).toContain('Stale reads in all: **2** (WRONG');
    expect(formatCache(result(false, 2))).toContain('Stale reads in all: **2**');
  });

  it('keeps the cache part of an earlier run when a run did not measure it, in the JSON and the section', () => {
    const base: RunReport = {
      date: '2026-12-04',
      startedAt: '2026-12-04T18:00:00.000Z',
      finishedAt: '2026-12-04T18:05:00.000Z',
      machine: { cpus: 2, cpuModel: 'x', memoryGb: 8, node: '20', os: 'Linux' },
      settings: { rounds: 3, duration: 5, warmup: 2, connections: 32 },
      versions: {},
      targets: [],
      cells: [],
      ratios: [],
      notes: [],
    };
    const earlier: RunReport = { ...base, startedAt: '2026-12-04T17:00:00.000Z', cache: result(true) };
    const merged = mergeReports(base, { fanout: true }, earlier);
    expect(merged.cache).toEqual(earlier.cache);
    expect(merged.carried).toEqual({ cache: '2026-12-04T17:00:00.000Z' });
    expect(renderMarkdownSection(merged)).toContain('the cache benchmark (run started 2026-12-04 17:00 UTC)');
    expect(mergeReports({ ...base, cache: result(false) }, { cache: true }, earlier).cache?.settings.responseCache).toBe(false);
  });
});
