/**
 * The dev runner behind `npm start` (`npm start -- --help` for options): PostgreSQL,
 * every subgraph of supergraph.yaml and the gateway, one command, one Ctrl-C.
 * The work is in lib/dev-runner.ts; this file reads the command line and the environment
 * once and maps signals to a shutdown.
 */
import path from 'node:path';
import { DevRunner } from './lib/dev-runner';
import { findRepoRoot } from './lib/repo-root';
import { parseRunnerArgs, parseRunnerEnv, RUNNER_USAGE } from './lib/runner-args';
import { loadSupergraphConfig } from '@atrium/kit';
import { colorEnabled, createPaint } from './lib/terminal';

async function main(): Promise<number> {
  const repoRoot = findRepoRoot(__dirname);
  const subgraphs = loadSupergraphConfig(path.join(repoRoot, 'supergraph.yaml'));
  const args = parseRunnerArgs(
    process.argv.slice(2),
    subgraphs.map((subgraph) => subgraph.name),
  );
  if (args.help) {
    process.stdout.write(`${RUNNER_USAGE}\n`);
    return 0;
  }
  const runner = new DevRunner({
    repoRoot,
    subgraphs,
    args,
    runnerEnv: parseRunnerEnv(process.env),
    env: process.env,
    paint: createPaint(colorEnabled(process.env, process.stdout.isTTY)),
    libDir: path.join(__dirname, 'lib'),
  });
  // npm forwards the terminal's SIGINT to us on top of the one the terminal sends, so a
  // second signal is expected and ignored: each stop step is bounded anyway (10 s).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void runner.shutdown(0, `${signal} received, stopping`));
  }
  return runner.run();
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
