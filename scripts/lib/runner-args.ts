/** What `npm start -- <args>` asked for. */
export interface RunnerArgs {
  /** The subgraphs to start, in supergraph.yaml order (all of them without `--only`). */
  subgraphs: string[];
  /** Whether the gateway starts (it does unless `--no-gateway`). */
  gateway: boolean;
  /** `--help`: print {@link RUNNER_USAGE} and exit. */
  help: boolean;
}

/** A command line the runner cannot act on; the message says what to type instead. */
export class RunnerArgsError extends Error {
  override name = 'RunnerArgsError';
}

/** The runner's help text. */
export const RUNNER_USAGE = `Usage: npm start [-- options]

Starts PostgreSQL (embedded, unless DATABASE_URL names a server), every subgraph of
supergraph.yaml and the gateway, and stops them all on Ctrl-C.

Options:
  --only a,b       start only these subgraphs (and the gateway); repeatable
  --no-gateway     do not start the gateway
  -h, --help       show this help

Environment:
  DATABASE_URL     a PostgreSQL server to use instead of the embedded one; each subgraph
                   gets its own database on it (atrium_<name>)
  ATRIUM_DATA_DIR  folder for the embedded server's data (default .atrium)
  ATRIUM_PG_PORT   port of the embedded server (default 54329)
  ATRIUM_READY_TIMEOUT  seconds each service may take to become ready (default 60)
  Anything else (LOG_LEVEL, REDIS_URL, ATRIUM_ADMIN_EMAIL, ...) is passed to the services.`;

/**
 * Parses the runner's arguments against the subgraph names of supergraph.yaml.
 *
 * `--only` selects subgraphs only: the gateway still starts, so `--only booking,identity`
 * gives a working graph of those two (fields of the others fail as unavailable);
 * `--no-gateway` leaves it out.
 */
export function parseRunnerArgs(argv: readonly string[], subgraphNames: readonly string[]): RunnerArgs {
  let only: Set<string> | undefined;
  let gateway = true;
  let help = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      help = true;
    } else if (arg === '--no-gateway') {
      gateway = false;
    } else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (value === undefined || value.startsWith('-')) {
        throw new RunnerArgsError(`--only needs a comma-separated list of subgraphs: ${subgraphNames.join(', ')}`);
      }
      only ??= new Set();
      for (const name of value.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
        only.add(checkName(name, subgraphNames));
      }
    } else {
      throw new RunnerArgsError(`unknown argument ${JSON.stringify(arg)}\n\n${RUNNER_USAGE}`);
    }
  }

  if (only?.size === 0) {
    throw new RunnerArgsError(`--only needs at least one subgraph: ${subgraphNames.join(', ')}`);
  }
  const subgraphs = only ? subgraphNames.filter((name) => only.has(name)) : [...subgraphNames];
  return { subgraphs, gateway, help };
}

function checkName(name: string, subgraphNames: readonly string[]): string {
  if (subgraphNames.includes(name)) return name;
  const hint =
    name === 'gateway' ? ' (the gateway always starts unless --no-gateway; --only selects subgraphs)' : '';
  throw new RunnerArgsError(
    `unknown subgraph ${JSON.stringify(name)}${hint}; supergraph.yaml lists: ${subgraphNames.join(', ')}`,
  );
}

/** The runner's own settings from the environment (the services read theirs themselves). */
export interface RunnerEnv {
  /** DATABASE_URL: a server to use instead of the embedded one. */
  databaseUrl: string | undefined;
  /** ATRIUM_READY_TIMEOUT (seconds, default 60), in milliseconds. */
  readyTimeoutMs: number;
}

/** Reads and checks the runner's environment; throws {@link RunnerArgsError} on bad values. */
export function parseRunnerEnv(env: NodeJS.ProcessEnv): RunnerEnv {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/[^/]/.test(databaseUrl)) {
    throw new RunnerArgsError('DATABASE_URL must be a postgres:// URL of a server (postgres://user:password@host:port)');
  }
  const rawTimeout = env.ATRIUM_READY_TIMEOUT;
  const seconds = rawTimeout === undefined || rawTimeout === '' ? 60 : Number(rawTimeout);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new RunnerArgsError(`ATRIUM_READY_TIMEOUT must be a number of seconds, got ${JSON.stringify(rawTimeout)}`);
  }
  return { databaseUrl, readyTimeoutMs: seconds * 1000 };
}
