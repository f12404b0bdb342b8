/**
 * `npm run bench:profile -- [query] [seconds] [process] [--direct] [--light] [--dedup off]`: where the
 * Atrium gateway (or, given its name, one subgraph) spends its CPU. `--light` runs it on the
 * benchmark's in-memory subgraphs (bench/light/), where the gateway bounds the rate;
 * `--dedup off` starts it with SUBGRAPH_DEDUP=off, so every request pays its own fetches;
 * `--direct` (with a subgraph's name) loads that subgraph directly with the query's direct
 * form, as the benchmark's target D does (through the gateway, deduplication and the
 * gateway's own rate decide how much of the load reaches it). Starts the benchmark stack with that process under
 * `--cpu-prof`, loads the gateway with one query (default `auth`, 15 s), stops it, and prints
 * self time by package and by function, then the functions with the most inclusive time
 * (what a request path costs with its callees). The `.cpuprofile` is kept for Chrome DevTools. Measure before you
 * change anything (docs/benchmarks.md, "Levers").
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findRepoRoot } from '../scripts/lib/repo-root';
import type { QueryId } from './args';
import { loadRequest, probe, runLoad } from './measure';
import { QUERY_SPECS, tokenFor } from './queries';
import { seed } from './seed';
import { Stack } from './stack';
import { summarizeProfile, type ProfileWindow } from './profile-summary';

const log = (message: string) => process.stdout.write(`[profile] ${message}\n`);

async function main() {
  const flags = process.argv.slice(2);
  const light = flags.includes('--light');
  const direct = flags.includes('--direct');
  const dedupAt = flags.indexOf('--dedup');
  const atriumDedup = dedupAt >= 0 && flags[dedupAt + 1] === 'off' ? 'off' : 'on';
  const positional = flags.filter((f, i) => !f.startsWith('--') && !(dedupAt >= 0 && i === dedupAt + 1));
  const query = (positional[0] ?? 'auth') as QueryId;
  const seconds = Number(positional[1] ?? 15);
  const target = positional[2] ?? 'gateway';
  if (light && target !== 'gateway') throw new Error('--light profiles the gateway only (the light subgraphs are the benchmark\'s own)');
  if (direct && (target === 'gateway' || QUERY_SPECS[query]?.direct.subgraph !== target)) throw new Error(`--direct profiles the subgraph that answers the query's direct form (${QUERY_SPECS[query]?.direct.subgraph})`);
  if (!QUERY_SPECS[query]) throw new Error(`unknown query "${query}" (one of ${Object.keys(QUERY_SPECS).join(', ')})`);
  const repoRoot = findRepoRoot(__dirname);
  const profileDir = mkdtempSync(path.join(tmpdir(), 'atrium-profile-'));
  const profiling = ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  const stack = new Stack(
    target === 'gateway'
      ? { repoRoot, mode: light ? 'light' : 'full', atriumDedup, targets: [], log, atriumNodeArgs: profiling }
      : { repoRoot, atriumDedup, targets: [], log, subgraphNodeArgs: { name: target, args: profiling } },
  );
  const stop = () => void stack.down().then(() => process.exit(130));
  let window: ProfileWindow | undefined;
  process.once('SIGINT', stop);
  try {
    await stack.up();
    const seeded = light ? stack.lightFacts! : await seed(stack.atrium!.url, log);
    const op = direct ? QUERY_SPECS[query].direct : QUERY_SPECS[query].gateway;
    const url = direct ? stack.subgraphs.get(target)!.url : stack.atrium!.url;
    const request = loadRequest(url, op.query, op.variables?.(seeded), tokenFor(op.caller, seeded));
    const answer = await probe(request);
    if (answer.errors?.length) throw new Error(`${direct ? target : 'the gateway'} answers errors: ${JSON.stringify(answer.errors)}`);
    log(`loading (${query}) for ${seconds} s`);
    // The profile's clock is the monotonic one process.hrtime reads: the load's window on it.
    const from = Number(process.hrtime.bigint() / 1000n);
    const sample = await runLoad(request, { connections: 32, duration: seconds, pid: (direct ? stack.subgraphs.get(target)! : stack.atrium!).child.pid }, 0);
    window = { from, to: Number(process.hrtime.bigint() / 1000n) };
    log(`${Math.round(sample.rps)} req/s, p50 ${sample.p50} ms, p99 ${sample.p99} ms${direct ? `, ${sample.cpuMsPerRequest} CPU ms/req (under --cpu-prof) (${target})` : ''}`);
  } finally {
    await stack.down();
  }
  const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${profileDir}`);
  // The load only: start-up (module loading, migrations) and seeding are not what is measured.
  process.stdout.write(`${summarizeProfile(JSON.parse(readFileSync(path.join(profileDir, file), 'utf8')), 25, window)}\n`);
  log(`profile: ${path.join(profileDir, file)} (open it in Chrome DevTools → Performance)`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
