/**
 * The "before" figures issue 14's targets are checked against, kept here and nowhere else,
 * each with where and when it was measured. They are constants on purpose: a target of
 * "half of before" must not move with the run that checks it.
 */
import type { QueryId } from './args';

/**
 * Atrium's subgraphs queried directly (target D) before issue 14: catalog on query (a),
 * identity on query (c). CPU ms per request of the subgraph's process, median over rounds.
 */
export const SUBGRAPH_BASELINE = {
  source: 'target D (subgraph direct) at commit 06ea8f8, `node dist/bench/run.js gateways --only d --queries single,auth --no-write` (3 rounds × 5 s, 32 connections), unrecorded run',
  measuredAt: '2026-12-04 16:22 UTC',
  queries: {
    single: { subgraph: 'catalog', cpuMsPerRequest: 1.77, rps: 589, p99: 108 },
    auth: { subgraph: 'identity', cpuMsPerRequest: 2.7, rps: 387, p99: 143 },
  } as Partial<Record<QueryId, { subgraph: string; cpuMsPerRequest: number; rps: number; p99: number }>>,
} as const;

/**
 * Whole-platform throughput through Atrium's gateway (target A) before issue 14: the
 * recorded run of 2026-12-03 (docs/benchmarks.md, bench/results/2026-12-03.json; gateway
 * comparison started 18:42 UTC), median req/s.
 */
export const PLATFORM_BASELINE = {
  source: "target A (Atrium's gateway) in the recorded run of 2026-12-03 (bench/results/2026-12-03.json)",
  measuredAt: '2026-12-03 18:42 UTC',
  rps: { single: 690, nested: 350, auth: 933 } as Record<QueryId, number>,
} as const;
