/**
 * `npm run bench`: the side-by-side gateway benchmark, the cache benchmark, the @defer
 * benchmark, the booking contention benchmark and the subscription fan-out benchmark (`npm run bench -- --help` for options; method in
 * docs/benchmarks.md).
 *
 * This process only generates load (autocannon, programmatic) and orchestrates: every
 * subgraph, gateway and helper runs as a process of its own (bench/stack.ts), all of them
 * stopped by PID at the end, on an error, or on Ctrl-C.
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findRepoRoot } from '../scripts/lib/repo-root';
import { runCache } from './cache';
import { parseBenchArgs, plannedSeconds, USAGE, variantOf, type BenchArgs, type Mode, type QueryId, type TargetId } from './args';
import { runContention } from './contention';
import { runDefer } from './defer';
import { checkOpenFiles, runFanout } from './fanout';
import { loadRequest, probe, runLoad, type LoadRequest } from './measure';
import { QUERY_SPECS, tokenFor, type SeedFacts } from './queries';
import {
  chartOf,
  checkSubgraphTargets,
  checkTargets,
  floorRatios,
  formatCache,
  formatContention,
  formatDefer,
  formatFanout,
  formatTable,
  mergeReports,
  renderMarkdownSection,
  replaceSection,
  TARGET_LABELS,
  type Comparison,
  type RunReport,
} from './report';
import { describeErrors, seed } from './seed';
import { Stack, type Endpoint } from './stack';
import { ratios, summarize, type Cell } from './stats';
import { renderBarChart } from './svg';

const started = Date.now();
const loadAtStart = os.loadavg().map((l) => Math.round(l * 100) / 100);
const log = (message: string) => process.stdout.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}\n`);

function version(repoRoot: string, pkg: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

/** Where target `target` is asked query `query`: URL, process and request; undefined if the target is not running. */
function requestFor(stack: Stack, target: TargetId, query: QueryId, seeded: SeedFacts, distinct: boolean): { endpoint: Endpoint; request: LoadRequest } | undefined {
  const spec = QUERY_SPECS[query];
  const gateways: Record<Exclude<TargetId, 'direct' | 'floor'>, Endpoint | undefined> = { atrium: stack.atrium, stock: stack.stock, hive: stack.hive, 'hive-rust': stack.hiveRust };
  const endpoint =
    target === 'direct' ? stack.subgraphs.get(spec.direct.subgraph) : target === 'floor' ? (spec.hasFloor ? stack.floors.get(spec.direct.subgraph) : undefined) : gateways[target];
  if (!endpoint) return undefined;
  // The floor is asked exactly what the subgraph is asked.
  const op = target === 'direct' || target === 'floor' ? spec.direct : spec.gateway;
  return { endpoint, request: loadRequest(endpoint.url, op.query, op.variables?.(seeded), tokenFor(op.caller, seeded), distinct) };
}

/** The targets a comparison measures: the floor (F) stands beside Atrium's own subgraphs only (full mode). */
function comparedTargets(args: BenchArgs, mode: Mode): TargetId[] {
  return mode === 'light' ? args.targets.filter((t) => t !== 'floor') : args.targets;
}

/** The ratio rows of a comparison: Atrium over every other target (when it ran), and Atrium's subgraph over the floor (direct/floor). */
function ratioRows(cells: Cell[], targets: readonly TargetId[]) {
  const atrium = targets.includes('atrium') ? ratios(cells, 'atrium', targets.filter((t) => t !== 'atrium' && t !== 'floor')) : [];
  return [...atrium, ...(targets.includes('floor') ? floorRatios(cells) : [])];
}

async function compareGateways(args: BenchArgs, stack: Stack, seeded: SeedFacts, notes: string[]): Promise<Cell[]> {
  const tag = stack.mode === 'light' ? 'light ' : '';
  const cells: Cell[] = [];
  for (const query of args.queries) {
    for (const target of comparedTargets(args, stack.mode)) {
      const cell: Cell = { target, query, status: 'skipped', samples: [] };
      cells.push(cell);
      if (target === 'floor' && !QUERY_SPECS[query].hasFloor) {
        // (b)'s direct query is booking's part of the plan: no floor of its own (yet).
        cell.reason = `no floor for ${QUERY_SPECS[query].direct.subgraph}'s part of this query: not measured`;
        continue;
      }
      const where = requestFor(stack, target, query, seeded, !args.identical);
      if (!where) {
        cell.reason = 'target not running';
        continue;
      }
      cell.status = 'ok';
      // A target answering errors is reported, not measured.
      const answer = await probe(where.request).catch((err: unknown) => ({ status: 0, errors: [{ message: String(err) }] }) as Awaited<ReturnType<typeof probe>>);
      const op = target === 'direct' || target === 'floor' ? QUERY_SPECS[query].direct : QUERY_SPECS[query].gateway;
      const problem = answer.status !== 200 || answer.errors?.length ? describeErrors(answer) : op.check(answer.data);
      if (problem) {
        Object.assign(cell, { status: 'error', reason: problem });
        notes.push(`${TARGET_LABELS[target]} answered ${QUERY_SPECS[query].label} with errors, so it was not measured: ${problem}`);
        log(`${tag}${target} × ${query}: ERROR ${problem}`);
      }
    }
  }
  const live = cells.filter((c) => c.status === 'ok');
  if (args.warmup > 0) {
    log(`${tag}warm-up: ${args.warmup} s per target and query`);
    for (const cell of live) {
      const where = requestFor(stack, cell.target as TargetId, cell.query as QueryId, seeded, !args.identical)!;
      await runLoad(where.request, { connections: args.connections, duration: args.warmup, pid: where.endpoint.child.pid }, 0);
    }
  }
  for (let round = 1; round <= args.rounds; round++) {
    for (const query of args.queries) {
      // Interleaved: A B C D for this query, then the next query, then the next round.
      for (const cell of live.filter((c) => c.query === query)) {
        const dead = stack.casualty();
        if (dead) throw new Error(`a process died during the benchmark: ${dead}`);
        const where = requestFor(stack, cell.target as TargetId, query, seeded, !args.identical)!;
        const watch = [...stack.subgraphs.values()].filter((s) => s.child !== where.endpoint.child).map((s) => ({ name: s.name, pid: s.child.pid }));
        const atriumMetricsUrl = cell.target === 'atrium' ? where.endpoint.url : undefined;
        const sample = await runLoad(where.request, { connections: args.connections, duration: args.duration, pid: where.endpoint.child.pid, watch, atriumMetricsUrl }, round);
        cell.samples.push(sample);
        log(
          `${tag}round ${round}/${args.rounds} ${query.padEnd(6)} ${cell.target.padEnd(9)} ${sample.rps.toFixed(0).padStart(6)} req/s  p50 ${sample.p50} ms  p99 ${sample.p99} ms` +
            `${sample.non2xx + sample.graphqlErrors + sample.socketErrors ? `  errors ${sample.non2xx}/${sample.graphqlErrors}/${sample.socketErrors}` : ''}`,
        );
      }
    }
  }
  for (const cell of live) {
    cell.summary = summarize(cell.samples);
    if (cell.summary.non2xx + cell.summary.graphqlErrors + cell.summary.socketErrors > 0) {
      notes.push(
        `${TARGET_LABELS[cell.target as TargetId]} on ${QUERY_SPECS[cell.query as QueryId].label}: ${cell.summary.non2xx} non-2xx, ${cell.summary.graphqlErrors} GraphQL errors, ${cell.summary.socketErrors} socket errors under load (not counted in req/s).`,
      );
    }
  }
  return cells;
}

/** The latest results file named at or before `upTo` (`<date>.json`), parsed; undefined if none or unreadable. */
function latestResults(resultsDir: string, upTo: string): RunReport | undefined {
  const name = readdirSync(resultsDir)
    .filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f) && f <= upTo)
    .sort()
    .pop();
  if (!name) return undefined;
  try {
    return JSON.parse(readFileSync(path.join(resultsDir, name), 'utf8')) as RunReport;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.fanout) {
    try {
      checkOpenFiles({ transports: args.fanoutTransports, sizes: args.fanoutSizes, httpSizes: args.fanoutHttpSizes, dedupOffSizes: args.fanoutDedupOffSizes, perSocket: args.fanoutPerSocket });
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
      return 2;
    }
  }
  const repoRoot = findRepoRoot(__dirname);
  // The stack being measured: one mode at a time, each stopped before the next starts.
  let stack: Stack | undefined;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping every process the benchmark started`);
    void (stack?.down() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  const notes: string[] = [];
  const lightNotes: string[] = [];
  const fullGateways = args.gateways && args.modes.includes('full');
  const lightGateways = args.gateways && args.modes.includes('light');
  let failed = false;
  try {
    log(`measuring takes about ${Math.round(plannedSeconds(args) / 60 * 10) / 10} min after setup`);
    let cells: Cell[] = [];
    let defer: RunReport['defer'];
    let contention: RunReport['contention'];
    let fanout: RunReport['fanout'];
    let cache: RunReport['cache'];
    if (fullGateways || args.defer || args.contention || args.fanout || args.cache) {
      stack = new Stack({ repoRoot, mode: 'full', targets: fullGateways ? args.targets : [], atriumDedup: args.atriumDedup, log });
      await stack.up();
      notes.push(...peerNotes(stack));
      log('seeding through the Atrium gateway');
      const seeded = await seed(stack.atrium!.url, log);
      log(`seeded: 22 users, ${seeded.workspaceIds.length} workspaces, 50 CONFIRMED bookings for member0`);

      cells = fullGateways ? await compareGateways(args, stack, seeded, notes) : [];
      // Before contention and fan-out book: their events would invalidate the workspaces the cache benchmark counts renames of.
      cache = args.cache
        ? await runCache({
            stack,
            seeded,
            queries: args.cacheQueries,
            rounds: args.cacheRounds,
            duration: args.cacheDuration,
            warmup: args.cacheWarmup,
            connections: args.connections,
            writesPerSecond: args.cacheWrites,
            atriumDedup: args.atriumDedup,
            log,
          })
        : undefined;
      // A stale read is a wrong answer: the run fails at the end (its notes say what else went wrong).
      if (cache?.cells.some((c) => (c.summary?.reads.stale ?? 0) > 0 || c.status !== 'ok')) failed = true;
      // Before contention and fan-out book: the member's 20 latest bookings are the seeded ones.
      defer = args.defer
        ? await runDefer({ gatewayUrl: stack.atrium!.url, gatewayPid: stack.atrium!.child.pid, memberToken: seeded.memberToken, concurrency: args.deferConcurrency, requests: args.deferRequests, log })
        : undefined;
      // Its notes are its errors: a wrong answer, or requests that failed.
      if (defer?.notes.length) failed = true;
      contention = args.contention
        ? await runContention({
            gatewayUrl: stack.atrium!.url,
            seeded,
            sizes: args.contentionSizes,
            levels: args.throughputLevels,
            levelDuration: args.throughputDuration,
            confirm: args.throughputConfirm,
            bookingUrl: stack.subgraphs.get('booking')?.url,
            log,
          })
        : undefined;
      if (contention?.bursts.some((b) => !b.correct)) {
        notes.push('Contention: at least one burst did NOT end with exactly one winner and only BOOKING_CONFLICT for the others.');
        failed = true;
      }
      fanout = args.fanout
        ? await runFanout({ stack, seeded, transports: args.fanoutTransports, sizes: args.fanoutSizes, httpSizes: args.fanoutHttpSizes, dedupOffSizes: args.fanoutDedupOffSizes, repeats: args.fanoutRepeats, perSocket: args.fanoutPerSocket, log })
        : undefined;
      if (fanout?.runs.some((r) => r.status !== 'ok')) failed = true;
      const dead = stack.casualty();
      if (dead) throw new Error(`a process died during the benchmark: ${dead}`);
      log("stopping the stack on Atrium's subgraphs");
      await stack.down();
    }

    let light: Comparison | undefined;
    if (lightGateways) {
      const lightStarted = new Date().toISOString();
      const loadAtStartLight = os.loadavg().map((l) => Math.round(l * 100) / 100);
      stack = new Stack({ repoRoot, mode: 'light', targets: args.targets, atriumDedup: args.atriumDedup, log });
      await stack.up();
      lightNotes.push(...peerNotes(stack));
      const lightCells = await compareGateways(args, stack, stack.lightFacts!, lightNotes);
      const dead = stack.casualty();
      if (dead) throw new Error(`a process died during the benchmark: ${dead}`);
      log('stopping the stack on light subgraphs');
      await stack.down();
      light = {
        mode: 'light',
        startedAt: lightStarted,
        finishedAt: new Date().toISOString(),
        loadAtStart: loadAtStartLight,
        loadAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
        settings: settingsOf(args),
        targets: targetsOf(args, 'light'),
        cells: lightCells,
        ratios: ratioRows(lightCells, comparedTargets(args, 'light')),
        checks: checkTargets(lightCells, args.identical ? 'identical' : 'distinct'),
        notes: lightNotes,
      };
    }

    const date = new Date(started).toISOString().slice(0, 10);
    const report: RunReport = {
      date,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
        memoryGb: Math.round(os.totalmem() / 2 ** 30),
        node: process.versions.node,
        os: `${os.type()} ${os.release()}`,
        loadAtStart,
        loadAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
      },
      settings: settingsOf(args),
      versions: {
        '@apollo/gateway': version(repoRoot, '@apollo/gateway'),
        '@apollo/server': version(repoRoot, '@apollo/server'),
        '@graphql-hive/gateway': version(repoRoot, '@graphql-hive/gateway'),
        '@graphql-hive/router-runtime': version(repoRoot, '@graphql-hive/router-runtime'),
        '@graphql-hive/router-query-planner': version(repoRoot, '@graphql-hive/router-query-planner'),
        autocannon: version(repoRoot, 'autocannon'),
      },
      targets: targetsOf(args, 'full'),
      cells,
      ratios: ratioRows(cells, args.targets),
      checks: fullGateways ? checkTargets(cells, args.identical ? 'identical' : 'distinct') : undefined,
      subgraphChecks: fullGateways ? checkSubgraphTargets(cells) : undefined,
      light,
      defer,
      contention,
      fanout,
      cache,
      notes,
    };

    // What the run prints is also what a variant run keeps (below).
    const printed: string[] = [];
    const print = (text: string) => {
      printed.push(text);
      process.stdout.write(text);
    };
    if (cells.length) print(`\n${formatTable(report, light ? "Gateways on Atrium's subgraphs:" : undefined)}\n`);
    if (light) print(`\n${formatTable(light, 'Gateways on light subgraphs (--light):')}\n`);
    if (defer) print(`\n${formatDefer(defer)}\n`);
    if (contention) print(`\n${formatContention(contention)}\n`);
    if (fanout) print(`\n${formatFanout(fanout)}\n`);
    if (cache) print(`\n${formatCache(cache)}\n`);
    const allNotes = [...notes, ...(defer?.notes ?? []), ...(fanout?.notes ?? []), ...(cache?.notes ?? []), ...lightNotes.map((n) => `light: ${n}`)];
    if (allNotes.length) print(`\n${allNotes.map((n) => `* ${n}`).join('\n')}\n`);

    const variant = variantOf(args);
    if (args.write && variant) {
      // A variant (identical requests, Atrium's deduplication off) is kept beside the run it
      // qualifies, never in its place: its own results and printed tables, docs untouched.
      const resultsDir = path.join(repoRoot, 'bench', 'results');
      mkdirSync(resultsDir, { recursive: true });
      const base = path.join(resultsDir, `${date}-${variant}`);
      writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
      writeFileSync(`${base}.txt`, `npm run bench -- ${process.argv.slice(2).join(' ')}\n${report.machine.cpus} × ${report.machine.cpuModel}, Node ${report.machine.node} · load average ${(report.machine.loadAtStart ?? []).join(' ')} at start, ${(report.machine.loadAtEnd ?? []).join(' ')} at end\n${printed.join('')}`);
      log(`wrote bench/results/${date}-${variant}.json and .txt (a variant run: docs/benchmarks.md untouched)`);
    } else if (args.write) {
      const resultsDir = path.join(repoRoot, 'bench', 'results');
      mkdirSync(resultsDir, { recursive: true });
      const jsonFile = path.join(resultsDir, `${date}.json`);
      // Parts this run did not measure are kept from the latest earlier file (the same day's, if any).
      const previous = latestResults(resultsDir, `${date}.json`);
      const merged = mergeReports(report, { gateways: fullGateways, light: lightGateways, defer: args.defer, contention: args.contention, fanout: args.fanout, cache: args.cache }, previous);
      writeFileSync(jsonFile, `${JSON.stringify(merged, null, 2)}\n`);
      const written = [path.relative(repoRoot, jsonFile)];
      /** The chart of one comparison: drawn for a measured one, the carried one's file otherwise (if it is there). */
      const chart = (mode: Mode, measured: Pick<RunReport, 'cells' | 'date' | 'settings'> | undefined, carriedAt: string | undefined): string | undefined => {
        const suffix = mode === 'light' ? '-light' : '';
        if (measured?.cells.length) {
          const name = `${date}${suffix}.svg`;
          writeFileSync(path.join(resultsDir, name), renderBarChart(chartOf(measured, mode)));
          written.push(`bench/results/${name}`);
          return name;
        }
        const name = carriedAt ? `${carriedAt.slice(0, 10)}${suffix}.svg` : undefined;
        return name && existsSync(path.join(resultsDir, name)) ? name : undefined;
      };
      const chartName = chart('full', cells.length ? report : undefined, merged.carried?.gateways);
      const lightChartName = chart('light', light ? { cells: light.cells, date, settings: light.settings } : undefined, merged.carried?.light);
      const docFile = path.join(repoRoot, 'docs', 'benchmarks.md');
      const doc = existsSync(docFile) ? readFileSync(docFile, 'utf8') : '# Benchmarks\n';
      const link = (name: string | undefined) => (name ? `../bench/results/${name}` : undefined);
      writeFileSync(docFile, replaceSection(doc, renderMarkdownSection(merged, link(chartName), link(lightChartName))));
      log(`wrote ${written.join(', ')} and docs/benchmarks.md`);
    }
  } catch (err) {
    failed = true;
    // After Ctrl-C, what fails is only the work being cut short.
    if (!interrupted) process.stderr.write(`\nbench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  } finally {
    if (!interrupted) log('stopping every process the benchmark started');
    // Idempotent: after a signal this waits for the stop the handler began.
    await stack?.down(failed && !interrupted);
    if (failed && !interrupted && stack) log(`logs kept in ${stack.workDir}`);
  }
  log(`done in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  return interrupted ? 130 : failed ? 1 : 0;
}

/** What the peer gateways got instead of Atrium's supergraph, as notes of a comparison. */
function peerNotes(stack: Stack): string[] {
  const notes: string[] = [];
  if (stack.stockStripped) {
    notes.push(
      `Stock @apollo/gateway refuses supergraphs linking security specs, so it got a copy without ${stack.stockStripped.links.length} \`@link\`s ` +
        `(${stack.stockStripped.directives.map((d) => `@${d}`).join(', ')}) and ${stack.stockStripped.usages} directive usages: it enforces no field-level authorization (${stack.mode === 'light' ? 'nor do the light subgraphs' : 'the subgraphs still do'}).`,
    );
  }
  if (stack.hive || stack.hiveRust) {
    notes.push(
      `Hive Gateway${stack.hiveRust ? ' (both runtimes)' : ''} got the supergraph with its security specs (it loads them and, without its auth plugins configured, does not enforce them; ` +
        `${stack.mode === 'light' ? 'the light subgraphs do not either' : 'the subgraphs do'}).`,
    );
  }
  if (stack.mode === 'light') {
    notes.push(
      "Light subgraphs answer from memory and verify neither tokens nor signatures: only Atrium's gateway checks tokens, field-level authorization and rate limits (in Redis), as in the full run.",
    );
  }
  return notes;
}

function settingsOf(args: BenchArgs): RunReport['settings'] {
  return { rounds: args.rounds, duration: args.duration, warmup: args.warmup, connections: args.connections, requests: args.identical ? 'identical' : 'distinct', atriumDedup: args.atriumDedup };
}

const TARGET_NOTES: Record<Exclude<TargetId, 'direct' | 'floor'>, string> = {
  atrium: 'dist/gateway/src/main.js, NODE_ENV=production, all protections on (limits, rate limits in Redis with high budgets, circuit breakers, metrics)',
  stock: 'bench/targets/stock-gateway.ts: @apollo/gateway + @apollo/server standalone, no plugins, forwards Authorization and x-request-id; security specs stripped',
  hive: 'hive-gateway supergraph <file> --host 127.0.0.1 --fork 1, config forwards Authorization and x-request-id',
  'hive-rust': 'hive-gateway supergraph <file> --host 127.0.0.1 --fork 1 --hive-router-runtime (Rust query planner, @graphql-hive/router-runtime), same config as C',
};

function targetsOf(args: BenchArgs, mode: Mode): RunReport['targets'] {
  return comparedTargets(args, mode).map((id) => ({
    id,
    label: TARGET_LABELS[id],
    notes:
      id === 'direct'
        ? args.queries.map((q) => `${q}: ${mode === 'light' ? 'light ' : ''}${QUERY_SPECS[q].direct.subgraph} — ${QUERY_SPECS[q].direct.note}`).join('; ')
        : id === 'floor'
          ? args.queries
              .map((q) => `${q}: ${QUERY_SPECS[q].hasFloor ? `bench/floor/ ${QUERY_SPECS[q].direct.subgraph}-floor (pg + graphql-js on ${QUERY_SPECS[q].direct.subgraph}'s database), asked what D is asked` : 'no floor, not measured'}`)
              .join('; ')
          : TARGET_NOTES[id],
  }));
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
