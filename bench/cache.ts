/**
 * The cache benchmark (`npm run bench -- cache`): queries (a) and (b) through two Atrium
 * gateways started for it on the same subgraphs — one with CACHE=off, one with
 * CACHE=redis (entity cache, and the response cache for fully PUBLIC operations where the
 * gateway has one) — interleaved in rounds as in the gateway comparison, with each cache
 * sample's hit ratio from the gateway's atrium_cache_* counters (deltas over the sample).
 *
 * During every sample (cache off and on alike, so that both carry the same load) a writer
 * renames the workspaces that query (a) lists, at a bounded rate, through the main gateway
 * with the admin's token, and every answer read is checked: the bench hears the cache's
 * invalidations on its pub/sub channel (fetch/cache-invalidation.ts publishes there once
 * the shared entries are deleted) and counts, per read, whether it is stale (started after
 * a newer version was relayed), a window read (started after the newer version was
 * committed, before it was relayed: expected) or fresh (cache-stats.ts).
 */
import IORedis from 'ioredis';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { invalidationChannel } from '../gateway/src/fetch/cache-invalidation';
import { findRepoRoot } from '../scripts/lib/repo-root';
import type { CacheQueryId } from './args';
import {
  addCounters,
  addTallies,
  cacheCounters,
  counterDelta,
  cacheRatios,
  emptyTally,
  fmtShare,
  hitRatios,
  parseVersioned,
  StaleLedger,
  versionedName,
  versionsSeen,
  type CacheCell,
  type CacheRatioRow,
  type CacheVariant,
  type ReadTally,
} from './cache-stats';
import { fetchMetrics } from './live-metrics';
import { loadRequest, probe, runLoad } from './measure';
import { QUERY_SPECS, tokenFor } from './queries';
export type { CacheCell, CacheRatioRow, CacheSample, CacheVariant } from './cache-stats';
import { describeErrors, gql, type GraphQLResult, type Seeded } from './seed';
import { REDIS_URL, type Endpoint, type Stack } from './stack';
import { summarize } from './stats';

export interface CacheResult {
  startedAt: string;
  finishedAt: string;
  loadAtStart: number[];
  loadAtEnd: number[];
  settings: {
    rounds: number;
    duration: number;
    warmup: number;
    connections: number;
    writesPerSecond: number;
    /** SUBGRAPH_DEDUP of both gateways. */
    atriumDedup: 'on' | 'off';
    /** Whether the measured gateway build knows RESPONSE_CACHE (the response cache for fully PUBLIC operations). */
    responseCache: boolean;
    /** What the cache-on gateway was started with. */
    cacheEnv: Record<string, string>;
  };
  cells: CacheCell[];
  ratios: CacheRatioRow[];
  /** The writer: versions written and failed, their invalidations heard, and commit (answer) → invalidation heard latency. */
  writer?: { written: number; failed: number; failures: Record<string, number>; relayed: number; notRelayed: number; relayMs: { p50: number | null; p99: number | null; max: number | null } };
  notes: string[];
}

export interface CacheOptions {
  stack: Stack;
  seeded: Seeded;
  queries: readonly CacheQueryId[];
  rounds: number;
  duration: number;
  warmup: number;
  connections: number;
  writesPerSecond: number;
  atriumDedup: 'on' | 'off';
  log: (message: string) => void;
}

const loadAverage = () => os.loadavg().map((l) => Math.round(l * 100) / 100);

const LIST_WORKSPACES = `{ workspaces(first: 20) { edges { node { id name } } } }`;
const UPDATE_WORKSPACE = `mutation BenchRename($id: ID!, $input: UpdateWorkspaceInput!) { updateWorkspace(id: $id, input: $input) { id name } }`;

/** Renames the workspaces one after the other at `perSecond`, recording each version in the ledger, until stopped. */
function startWriter(url: string, token: string, workspaces: { id: string; base: string }[], perSecond: number, ledger: StaleLedger) {
  const failures: Record<string, number> = {};
  let failed = 0;
  let running = true;
  let paused: Promise<void> | undefined;
  let unpause: () => void = () => undefined;
  /** The write in flight (settled when none). */
  let inFlight: Promise<unknown> = Promise.resolve();
  const interval = 1000 / perSecond;
  const done = (async () => {
    let next = performance.now();
    for (let i = 0; running; i++) {
      if (paused) {
        await paused;
        next = performance.now();
        if (!running) break;
      }
      const { id, base } = workspaces[i % workspaces.length];
      const version = ledger.nextVersion(base);
      ledger.sent(base, version, performance.now());
      const write: Promise<GraphQLResult> = gql(url, UPDATE_WORKSPACE, { id, input: { name: versionedName(base, version) } }, token).catch((err: unknown) => ({ status: 0, errors: [{ message: String(err) }] }));
      inFlight = write;
      const res = await write;
      if (res.status === 200 && !res.errors?.length && res.data?.updateWorkspace?.name === versionedName(base, version)) {
        ledger.answered(base, version, performance.now());
      } else {
        ledger.failed(base, version);
        failed++;
        const reason = describeErrors(res).slice(0, 120);
        failures[reason] = (failures[reason] ?? 0) + 1;
      }
      // A bounded rate: the next write at its tick, or at once when this one took longer.
      next += interval;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      else next = performance.now();
    }
  })();
  return {
    /** Stops writing, and waits until every version written was heard invalidated (at most 5 s): nothing changes during the next sample. */
    async pause(ledger: StaleLedger) {
      if (!running || paused) return;
      paused = new Promise<void>((resolve) => (unpause = resolve));
      await inFlight;
      for (let waited = 0; ledger.relaySummary().notRelayed > 0 && waited < 5_000; waited += 50) await sleep(50);
    },
    resume() {
      paused = undefined;
      unpause();
    },
    async stop() {
      running = false;
      paused = undefined;
      unpause();
      await done;
      return { failed, failures };
    },
  };
}

/** Runs the cache benchmark on a started, seeded stack; starts and stops its two gateways. */
export async function runCache(options: CacheOptions): Promise<CacheResult> {
  const { stack, seeded, log } = options;
  const startedAt = new Date().toISOString();
  const loadAtStart = loadAverage();
  const notes: string[] = [];
  const prefix = `atrium-bench:${stack.runId}:cache`;
  const cacheEnv = { CACHE: 'redis', CACHE_PREFIX: prefix, CACHE_GROUP: `atrium-bench-${stack.runId}-cache` };
  const repoRoot = findRepoRoot(__dirname);
  let responseCache = false;
  try {
    responseCache = readFileSync(path.join(repoRoot, 'dist/gateway/src/config.js'), 'utf8').includes('RESPONSE_CACHE');
  } catch {
    // No build to read: reported as absent.
  }

  log('cache: starting an Atrium gateway with CACHE=off and one with CACHE=redis');
  const gateways: Record<'off' | 'on', Endpoint | undefined> = { off: undefined, on: undefined };
  /** The 'on' and 'on-quiet' samples ask the same gateway, the latter while the writer pauses. */
  const gatewayOf = (variant: CacheVariant) => gateways[variant === 'off' ? 'off' : 'on']!;
  const subscriber = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let writer: ReturnType<typeof startWriter> | undefined;
  const cells: CacheCell[] = [];
  let writerResult: CacheResult['writer'];
  try {
    [gateways.off, gateways.on] = await Promise.all([stack.startAtrium('cache-off', { CACHE: 'off' }), stack.startAtrium('cache-on', cacheEnv)]);

    // The workspaces query (a) lists: the ones the writer renames.
    const listed = await gql(stack.atrium!.url, LIST_WORKSPACES);
    const workspaces = ((listed.data?.workspaces?.edges ?? []) as { node: { id: string; name: string } }[]).map((e) => ({ id: e.node.id, base: parseVersioned(e.node.name).base }));
    if (!workspaces.length) throw new Error(`cache: could not list the workspaces: ${describeErrors(listed)}`);
    const ledger = new StaleLedger();
    for (const w of workspaces) ledger.track(w.base);
    const baseOfId = new Map(workspaces.map((w) => [w.id, w.base]));
    const known = ledger.known;

    // Every invalidation the gateways' consumer relays, heard as each gateway process hears it.
    await subscriber.connect();
    subscriber.on('message', (_channel: string, message: string) => {
      const at = performance.now();
      try {
        for (const ref of JSON.parse(message) as { type: string; id: string }[]) {
          const base = ref.type === 'Workspace' ? baseOfId.get(ref.id) : undefined;
          if (base) ledger.relayed(base, at);
        }
      } catch {
        // Not an invalidation this benchmark understands.
      }
    });
    await subscriber.subscribe(invalidationChannel(prefix));

    const requestOf = (query: CacheQueryId, variant: CacheVariant) => {
      const op = QUERY_SPECS[query].gateway;
      return loadRequest(gatewayOf(variant).url, op.query, op.variables?.(seeded), tokenFor(op.caller, seeded), true);
    };
    // With a writer, the cache also runs a sample without it per round: its hit ratio and gain when nothing changes.
    const variants: CacheVariant[] = options.writesPerSecond > 0 ? ['off', 'on', 'on-quiet'] : ['off', 'on'];
    for (const query of options.queries) {
      for (const variant of variants) {
        const cell: CacheCell = { query, variant, status: 'ok', samples: [] };
        cells.push(cell);
        const answer: GraphQLResult = await probe(requestOf(query, variant)).catch((err: unknown) => ({ status: 0, errors: [{ message: String(err) }] }));
        const problem = answer.status !== 200 || answer.errors?.length ? describeErrors(answer) : QUERY_SPECS[query].gateway.check(answer.data);
        if (problem) {
          Object.assign(cell, { status: 'error', reason: problem });
          notes.push(`Cache ${variant} answered ${QUERY_SPECS[query].label} with errors, so it was not measured: ${problem}`);
        }
      }
    }
    const live = cells.filter((c) => c.status === 'ok');

    /** Checks one answer against the ledger (the writer's versions and their invalidations). */
    const checker = (tally: ReadTally) => (sentAt: number, status: number, body: string) => {
      if (status !== 200) return;
      try {
        ledger.read(sentAt, versionsSeen((JSON.parse(body) as { data?: unknown }).data, known), tally);
      } catch {
        // Not JSON: counted as an error by the load generator's own check.
      }
    };

    if (options.writesPerSecond > 0) {
      // The first write alone: a writer that cannot write leaves the reads unchecked, said in a note.
      const first = await gql(stack.atrium!.url, UPDATE_WORKSPACE, { id: workspaces[0].id, input: { name: workspaces[0].base } }, seeded.adminToken);
      if (first.errors?.length || !first.data) notes.push(`Cache: the writer could not rename a workspace (${describeErrors(first)}): no stale reads counted.`);
      else writer = startWriter(stack.atrium!.url, seeded.adminToken, workspaces, options.writesPerSecond, ledger);
    }

    if (options.warmup > 0) {
      log(`cache: warm-up ${options.warmup} s per gateway and query`);
      // Once per gateway and query: 'on-quiet' is the 'on' gateway.
      for (const cell of live.filter((c) => c.variant !== 'on-quiet')) {
        await runLoad(requestOf(cell.query, cell.variant), { connections: options.connections, duration: options.warmup, pid: gatewayOf(cell.variant).child.pid, onAnswer: checker(emptyTally()) }, 0);
      }
    }
    for (let round = 1; round <= options.rounds; round++) {
      for (const query of options.queries) {
        for (const cell of live.filter((c) => c.query === query)) {
          const dead = stack.casualty();
          if (dead) throw new Error(`a process died during the cache benchmark: ${dead}`);
          const gateway = gatewayOf(cell.variant);
          if (cell.variant === 'on-quiet') await writer?.pause(ledger);
          const watch = [...stack.subgraphs.values()].map((s) => ({ name: s.name, pid: s.child.pid }));
          const tally = emptyTally();
          const before = cacheCounters(await fetchMetrics(gateway.url));
          const sample = await runLoad(requestOf(query, cell.variant), { connections: options.connections, duration: options.duration, pid: gateway.child.pid, watch, atriumMetricsUrl: gateway.url, onAnswer: checker(tally) }, round);
          const counters = counterDelta(before, cacheCounters(await fetchMetrics(gateway.url)));
          writer?.resume();
          cell.samples.push({ ...sample, counters, reads: tally });
          const hits = hitRatios(counters);
          log(
            `cache round ${round}/${options.rounds} ${query.padEnd(6)} ${cell.variant.padEnd(8)} ${sample.rps.toFixed(0).padStart(6)} req/s  p50 ${sample.p50} ms  p99 ${sample.p99} ms` +
              `  hit ratio ${fmtShare(hits.entity)} entity${hits.response === null ? '' : `, ${fmtShare(hits.response)} response`}` +
              `  reads ${tally.reads}: stale ${tally.stale}, window ${tally.window}` +
              `${sample.non2xx + sample.graphqlErrors + sample.socketErrors ? `  errors ${sample.non2xx}/${sample.graphqlErrors}/${sample.socketErrors}` : ''}`,
          );
        }
      }
    }
    if (writer) {
      const { failed, failures } = await writer.stop();
      writer = undefined;
      // The last versions' invalidations are still on their way: a moment for them before counting.
      await sleep(1_000);
      writerResult = { ...ledger.relaySummary(), failed, failures };
      if (writerResult.notRelayed > 0) notes.push(`Cache: ${writerResult.notRelayed} of ${writerResult.written} renames were not heard invalidated by the end of the run.`);
    }
  } finally {
    await writer?.stop().catch(() => undefined);
    subscriber.disconnect();
    for (const g of [gateways.off, gateways.on]) if (g) await stack.stopEndpoint(g);
  }

  for (const cell of live(cells)) {
    const s = summarize(cell.samples);
    const counters = addCounters(cell.samples.map((x) => x.counters));
    cell.summary = { ...s, counters, hitRatio: hitRatios(counters), reads: addTallies(cell.samples.map((x) => x.reads)) };
    if (s.non2xx + s.graphqlErrors + s.socketErrors > 0) {
      notes.push(`Cache ${cell.variant} on ${QUERY_SPECS[cell.query].label}: ${s.non2xx} non-2xx, ${s.graphqlErrors} GraphQL errors, ${s.socketErrors} socket errors under load (not counted in req/s).`);
    }
  }
  const result: CacheResult = {
    startedAt,
    finishedAt: new Date().toISOString(),
    loadAtStart,
    loadAtEnd: loadAverage(),
    settings: {
      rounds: options.rounds,
      duration: options.duration,
      warmup: options.warmup,
      connections: options.connections,
      writesPerSecond: options.writesPerSecond,
      atriumDedup: options.atriumDedup,
      responseCache,
      cacheEnv,
    },
    cells,
    ratios: cacheRatios(cells),
    ...(writerResult ? { writer: writerResult } : {}),
    notes,
  };
  return result;
}

const live = (cells: readonly CacheCell[]) => cells.filter((c) => c.status === 'ok' && c.samples.length > 0);
