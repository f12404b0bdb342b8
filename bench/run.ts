/**
 * `npm run bench`: the side-by-side gateway benchmark, the booking contention benchmark
 * and the subscription fan-out benchmark (`npm run bench -- --help` for options; method in
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
import { parseBenchArgs, plannedSeconds, USAGE, type BenchArgs, type QueryId, type TargetId } from './args';
import { runContention } from './contention';
import { checkOpenFiles, runFanout } from './fanout';
import { loadRequest, probe, runLoad, type LoadRequest } from './measure';
import { QUERY_SPECS, tokenFor } from './queries';
import { chartOf, formatContention, formatFanout, formatTable, mergeReports, renderMarkdownSection, replaceSection, TARGET_LABELS, type RunReport } from './report';
import { describeErrors, seed, type Seeded } from './seed';
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
function requestFor(stack: Stack, target: TargetId, query: QueryId, seeded: Seeded, distinct: boolean): { endpoint: Endpoint; request: LoadRequest } | undefined {
  const spec = QUERY_SPECS[query];
  const endpoint = target === 'atrium' ? stack.atrium : target === 'stock' ? stack.stock : target === 'hive' ? stack.hive : stack.subgraphs.get(spec.direct.subgraph);
  if (!endpoint) return undefined;
  const op = target === 'direct' ? spec.direct : spec.gateway;
  return { endpoint, request: loadRequest(endpoint.url, op.query, op.variables?.(seeded), tokenFor(op.caller, seeded), distinct) };
}

async function compareGateways(args: BenchArgs, stack: Stack, seeded: Seeded, notes: string[]): Promise<Cell[]> {
  const cells: Cell[] = [];
  for (const query of args.queries) {
    for (const target of args.targets) {
      const cell: Cell = { target, query, status: 'ok', samples: [] };
      cells.push(cell);
      const where = requestFor(stack, target, query, seeded, !args.identical);
      if (!where) {
        Object.assign(cell, { status: 'skipped', reason: 'target not running' });
        continue;
      }
      // A target answering errors is reported, not measured.
      const answer = await probe(where.request).catch((err: unknown) => ({ status: 0, errors: [{ message: String(err) }] }) as Awaited<ReturnType<typeof probe>>);
      const op = target === 'direct' ? QUERY_SPECS[query].direct : QUERY_SPECS[query].gateway;
      const problem = answer.status !== 200 || answer.errors?.length ? describeErrors(answer) : op.check(answer.data);
      if (problem) {
        Object.assign(cell, { status: 'error', reason: problem });
        notes.push(`${TARGET_LABELS[target]} answered ${QUERY_SPECS[query].label} with errors, so it was not measured: ${problem}`);
        log(`${target} × ${query}: ERROR ${problem}`);
      }
    }
  }
  const live = cells.filter((c) => c.status === 'ok');
  if (args.warmup > 0) {
    log(`warm-up: ${args.warmup} s per target and query`);
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
        const sample = await runLoad(where.request, { connections: args.connections, duration: args.duration, pid: where.endpoint.child.pid, watch }, round);
        cell.samples.push(sample);
        log(
          `round ${round}/${args.rounds} ${query.padEnd(6)} ${cell.target.padEnd(6)} ${sample.rps.toFixed(0).padStart(6)} req/s  p50 ${sample.p50} ms  p99 ${sample.p99} ms` +
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
      checkOpenFiles({ sizes: args.fanoutSizes, dedupOffSizes: args.fanoutDedupOffSizes, perSocket: args.fanoutPerSocket });
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
      return 2;
    }
  }
  const repoRoot = findRepoRoot(__dirname);
  const stack = new Stack({ repoRoot, targets: args.gateways ? args.targets : [], log });
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping every process the benchmark started`);
    void stack.down().finally(() => process.exit(130));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  const notes: string[] = [];
  let failed = false;
  try {
    log(`measuring takes about ${Math.round(plannedSeconds(args) / 60 * 10) / 10} min after setup`);
    await stack.up();
    if (stack.stockStripped) {
      notes.push(
        `Stock @apollo/gateway refuses supergraphs linking security specs, so it got a copy without ${stack.stockStripped.links.length} \`@link\`s ` +
          `(${stack.stockStripped.directives.map((d) => `@${d}`).join(', ')}) and ${stack.stockStripped.usages} directive usages: it enforces no field-level authorization (the subgraphs still do).`,
      );
    }
    if (stack.hive) notes.push('Hive Gateway got the supergraph with its security specs (it loads them and, without its auth plugins configured, does not enforce them; the subgraphs do).');
    log('seeding through the Atrium gateway');
    const seeded = await seed(stack.atrium!.url, log);
    log(`seeded: 22 users, ${seeded.workspaceIds.length} workspaces, 50 CONFIRMED bookings for member0`);

    const cells = args.gateways ? await compareGateways(args, stack, seeded, notes) : [];
    const contention = args.contention
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
    const fanout = args.fanout
      ? await runFanout({ stack, seeded, sizes: args.fanoutSizes, dedupOffSizes: args.fanoutDedupOffSizes, repeats: args.fanoutRepeats, perSocket: args.fanoutPerSocket, log })
      : undefined;
    if (fanout?.runs.some((r) => r.status !== 'ok')) failed = true;
    const dead = stack.casualty();
    if (dead) throw new Error(`a process died during the benchmark: ${dead}`);

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
      settings: { rounds: args.rounds, duration: args.duration, warmup: args.warmup, connections: args.connections, requests: args.identical ? 'identical' : 'distinct' },
      versions: {
        '@apollo/gateway': version(repoRoot, '@apollo/gateway'),
        '@apollo/server': version(repoRoot, '@apollo/server'),
        '@graphql-hive/gateway': version(repoRoot, '@graphql-hive/gateway'),
        autocannon: version(repoRoot, 'autocannon'),
      },
      targets: args.targets.map((id) => ({
        id,
        label: TARGET_LABELS[id],
        notes:
          id === 'direct'
            ? args.queries.map((q) => `${q}: ${QUERY_SPECS[q].direct.subgraph} — ${QUERY_SPECS[q].direct.note}`).join('; ')
            : id === 'atrium'
              ? 'dist/gateway/src/main.js, NODE_ENV=production, all protections on (limits, rate limits in Redis with high budgets, circuit breakers, metrics)'
              : id === 'stock'
                ? 'bench/targets/stock-gateway.ts: @apollo/gateway + @apollo/server standalone, no plugins, forwards Authorization and x-request-id; security specs stripped'
                : 'hive-gateway supergraph <file> --host 127.0.0.1 --fork 1, config forwards Authorization and x-request-id',
      })),
      cells,
      ratios: ratios(cells, 'atrium', args.targets.filter((t) => t !== 'atrium')),
      contention,
      fanout,
      notes,
    };

    if (cells.length) process.stdout.write(`\n${formatTable(report)}\n`);
    if (contention) process.stdout.write(`\n${formatContention(contention)}\n`);
    if (fanout) process.stdout.write(`\n${formatFanout(fanout)}\n`);
    const allNotes = [...notes, ...(fanout?.notes ?? [])];
    if (allNotes.length) process.stdout.write(`\n${allNotes.map((n) => `* ${n}`).join('\n')}\n`);

    if (args.write) {
      const resultsDir = path.join(repoRoot, 'bench', 'results');
      mkdirSync(resultsDir, { recursive: true });
      const jsonFile = path.join(resultsDir, `${date}.json`);
      // Parts this run did not measure are kept from the latest earlier file (the same day's, if any).
      const previous = latestResults(resultsDir, `${date}.json`);
      const merged = mergeReports(report, { gateways: args.gateways, contention: args.contention, fanout: args.fanout }, previous);
      writeFileSync(jsonFile, `${JSON.stringify(merged, null, 2)}\n`);
      let chartName: string | undefined;
      if (cells.length) {
        chartName = `${date}.svg`;
        writeFileSync(path.join(resultsDir, chartName), renderBarChart(chartOf(report)));
      } else if (merged.carried?.gateways && existsSync(path.join(resultsDir, `${merged.carried.gateways.slice(0, 10)}.svg`))) {
        chartName = `${merged.carried.gateways.slice(0, 10)}.svg`;
      }
      const docFile = path.join(repoRoot, 'docs', 'benchmarks.md');
      const doc = existsSync(docFile) ? readFileSync(docFile, 'utf8') : '# Benchmarks\n';
      writeFileSync(docFile, replaceSection(doc, renderMarkdownSection(merged, chartName ? `../bench/results/${chartName}` : undefined)));
      log(`wrote ${path.relative(repoRoot, jsonFile)}${cells.length ? `, bench/results/${chartName}` : ''} and docs/benchmarks.md`);
    }
  } catch (err) {
    failed = true;
    // After Ctrl-C, what fails is only the work being cut short.
    if (!interrupted) process.stderr.write(`\nbench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  } finally {
    if (!interrupted) log('stopping every process the benchmark started');
    // Idempotent: after a signal this waits for the stop the handler began.
    await stack.down(failed && !interrupted);
    if (failed && !interrupted) log(`logs kept in ${stack.workDir}`);
  }
  log(`done in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  return interrupted ? 130 : failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
