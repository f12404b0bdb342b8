/**
 * `npm run bench:ab -- <query> <before-checkout> [--label name] [--rounds N] [--duration S]`:
 * one lever's effect on a subgraph's CPU per request, measured as an interleaved A/B.
 *
 * One stack (this checkout's build), seeded once; then two more processes of the subgraph
 * that answers the query's direct form, on the same database: "before", built in
 * `<before-checkout>` (a worktree of the commit before the lever, `npm run build:ts` there),
 * and "after", this checkout's. Both are spawned alike and warmed alike, then loaded in turn
 * (32 connections, `--duration` seconds each), the order swapped every round, so that a
 * machine that gets busier or quieter weighs on both. Prints each pair and the median of
 * the per-round ratios, and writes them to bench/results/<date>-ab-<label>.txt.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadavg } from 'node:os';
import { execFileSync } from 'node:child_process';
import { findRepoRoot } from '../scripts/lib/repo-root';
import type { QueryId } from './args';
import { loadRequest, probe, runLoad } from './measure';
import { QUERY_SPECS, tokenFor } from './queries';
import { seed } from './seed';
import { Stack } from './stack';
import { median } from './stats';

const log = (message: string) => process.stdout.write(`[ab] ${message}\n`);

function option(flags: string[], name: string, fallback: string): string {
  const at = flags.indexOf(name);
  return at >= 0 && flags[at + 1] ? flags[at + 1] : fallback;
}

const revisionOf = (dir: string) => {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};

async function main() {
  const flags = process.argv.slice(2);
  const positional = flags.filter((f, i) => !f.startsWith('--') && !flags[i - 1]?.startsWith('--'));
  const [query, beforeDir] = positional as [QueryId, string];
  const spec = QUERY_SPECS[query];
  if (!spec || !beforeDir) throw new Error('usage: npm run bench:ab -- <single|nested|auth> <before-checkout> [--label name] [--rounds N] [--duration S]');
  const rounds = Number(option(flags, '--rounds', '4'));
  const duration = Number(option(flags, '--duration', '5'));
  const label = option(flags, '--label', query);
  const repoRoot = findRepoRoot(__dirname);
  const before = path.resolve(beforeDir);
  const subgraph = spec.direct.subgraph;
  const stack = new Stack({ repoRoot, targets: [], log });
  const stop = () => void stack.down().then(() => process.exit(130));
  process.once('SIGINT', stop);
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };
  try {
    await stack.up();
    const facts = await seed(stack.atrium!.url, log);
    const sides = [
      { name: `before (${revisionOf(before)})`, endpoint: await stack.startSubgraphCopy(subgraph, 'before', before), cpu: [] as number[] },
      { name: `after (${revisionOf(repoRoot)}${execFileSync('git', ['-C', repoRoot, 'status', '--porcelain'], { encoding: 'utf8' }).trim() ? ', with uncommitted changes' : ''})`, endpoint: await stack.startSubgraphCopy(subgraph, 'after', repoRoot), cpu: [] as number[] },
    ];
    const requestOf = (url: string) => loadRequest(url, spec.direct.query, spec.direct.variables?.(facts), tokenFor(spec.direct.caller, facts));
    for (const side of sides) {
      const answer = await probe(requestOf(side.endpoint.url));
      if (answer.errors?.length) throw new Error(`${side.name} answers errors: ${JSON.stringify(answer.errors)}`);
      await runLoad(requestOf(side.endpoint.url), { connections: 32, duration: 4, pid: side.endpoint.child.pid }, 0);
    }
    say(`${new Date().toISOString()} ${subgraph} on (${query}) ${spec.direct.query.replace(/\s+/g, ' ').slice(0, 80)}…`);
    say(`${rounds} rounds × ${duration} s, 32 connections, order swapped every round; load average at start ${loadavg()[0].toFixed(1)}`);
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [...sides].reverse() : sides;
      for (const side of order) {
        const sample = await runLoad(requestOf(side.endpoint.url), { connections: 32, duration, pid: side.endpoint.child.pid }, round);
        if (sample.cpuMsPerRequest === null) throw new Error(`no CPU reading for ${side.name}`);
        side.cpu.push(sample.cpuMsPerRequest);
      }
      say(`round ${round + 1}: ${sides.map((s) => `${s.name} ${s.cpu[round].toFixed(2)}`).join('  ')}  → ${(sides[1].cpu[round] / sides[0].cpu[round]).toFixed(2)}×  (load ${loadavg()[0].toFixed(1)})`);
    }
    const ratios = sides[1].cpu.map((after, i) => after / sides[0].cpu[i]);
    say(`CPU ms/req medians: ${sides.map((s) => `${s.name} ${median(s.cpu).toFixed(2)}`).join(', ')}; median of the pairs' ratios ${median(ratios).toFixed(2)}× (${ratios.filter((r) => r < 1).length} of ${ratios.length} pairs lower after)`);
    const dir = path.join(repoRoot, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${new Date().toISOString().slice(0, 10)}-ab-${label}.txt`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    log(`written to ${path.relative(repoRoot, file)}`);
  } finally {
    await stack.down();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
