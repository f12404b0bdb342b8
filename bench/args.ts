/** The command line of `npm run bench` (pure; unit-tested in args.test.ts). */

/** The targets in the order a round runs them (Hive's two runtimes side by side). */
export const TARGETS = ['atrium', 'stock', 'hive', 'hive-rust', 'direct', 'floor'] as const;
export type TargetId = (typeof TARGETS)[number];
/**
 * The letters of the design notes: A = atrium, B = stock, C = hive, D = direct, and
 * E = hive-rust (Hive Gateway with its Rust query planner, added later: a new letter, so
 * that the first four keep theirs), F = floor (the benchmark's framework-free reference
 * subgraphs, bench/floor/: Atrium's subgraph queried directly, D, is measured against it).
 */
const LETTERS: Record<string, TargetId> = { a: 'atrium', b: 'stock', c: 'hive', d: 'direct', e: 'hive-rust', f: 'floor' };

/**
 * What the gateways are measured on. `full`: Atrium's seven subgraphs on PostgreSQL, seeded
 * through the gateway. `light`: the benchmark's own in-memory subgraphs (bench/light/) with
 * the same schemas and answers, so the gateways, not the subgraphs, bound the rate.
 */
export const MODES = ['full', 'light'] as const;
export type Mode = (typeof MODES)[number];

export const QUERIES = ['single', 'nested', 'auth'] as const;
export type QueryId = (typeof QUERIES)[number];

/** How a booking flow of the throughput benchmark learns that its booking is CONFIRMED. */
export const CONFIRM_BY = ['poll', 'subscription'] as const;
export type ConfirmBy = (typeof CONFIRM_BY)[number];

/** The transports the fan-out benchmark subscribes over, in the order it runs them. */
export const FANOUT_TRANSPORTS = ['websocket', 'multipart', 'sse'] as const;
export type FanoutTransport = (typeof FANOUT_TRANSPORTS)[number];

export interface BenchArgs {
  help: boolean;
  /** Run the gateway comparison. */
  gateways: boolean;
  /** The subgraphs the gateway comparison runs on, one after the other (contention and fan-out need `full`). */
  modes: Mode[];
  /** Run the booking contention + end-to-end throughput benchmark. */
  contention: boolean;
  targets: TargetId[];
  queries: QueryId[];
  rounds: number;
  /** Seconds per measured sample. */
  duration: number;
  /** Seconds of warm-up per target and query, not measured. */
  warmup: number;
  connections: number;
  /** Concurrent createBooking requests per burst, one burst per size. */
  contentionSizes: number[];
  /** Concurrent create → pay → CONFIRMED loops, one level at a time. */
  throughputLevels: number[];
  /** Seconds per throughput level. */
  throughputDuration: number;
  /** Throughput variants: poll `booking(id)`, or wait for `bookingUpdated` (one admin subscriber). */
  throughputConfirm: ConfirmBy[];
  /** Run the subscription fan-out benchmark (part of the default run; alone: `npm run bench -- fanout`). */
  fanout: boolean;
  /** The transports the fan-out subscribes over (graphql-ws, Apollo's multipart HTTP, GraphQL over SSE). */
  fanoutTransports: FanoutTransport[];
  /** Subscribers per measurement over graphql-ws, on a gateway with deduplication on (the default). */
  fanoutSizes: number[];
  /** Subscribers per measurement over each HTTP transport (multipart, sse), one HTTP request each, deduplication on. */
  fanoutHttpSizes: number[];
  /** Subscribers per measurement over graphql-ws on a gateway started with SUBSCRIPTION_DEDUP=off (empty: none). */
  fanoutDedupOffSizes: number[];
  /** Booking updates per measurement (medians over them). */
  fanoutRepeats: number;
  /** Subscriptions per WebSocket (≤ the gateway's SUBSCRIPTIONS_PER_CONNECTION, 100). */
  fanoutPerSocket: number;
  /** Run the @defer benchmark (time to first payload vs the same query without @defer). */
  defer: boolean;
  /** Concurrent clients of the @defer benchmark, one level after the other. */
  deferConcurrency: number[];
  /** Requests per variant (with and without @defer) and concurrency level. */
  deferRequests: number;
  /**
   * Send byte-identical requests. By default every request carries its own `x-request-id`,
   * which every gateway forwards to the subgraphs, so no gateway can merge concurrent
   * identical subgraph fetches (Hive Gateway does by default): each request costs the same
   * subgraph work everywhere. `--identical` measures with that merging allowed.
   */
  identical: boolean;
  /**
   * Atrium's SUBGRAPH_DEDUP (its in-flight merging of identical subgraph queries, keyed on
   * body and Authorization, on by default): `off` makes each of its requests pay its own
   * subgraph fetches, as the peers' do with distinct request ids.
   */
  atriumDedup: 'on' | 'off';
  /** Run the cache benchmark (queries (a) and (b) with Atrium's CACHE off and redis, stale reads under a writer). */
  cache: boolean;
  /** The queries of the cache benchmark (single = (a), nested = (b)). */
  cacheQueries: CacheQueryId[];
  /** Measured rounds of the cache benchmark; each interleaves cache off and on per query. */
  cacheRounds: number;
  /** Seconds per cache sample. */
  cacheDuration: number;
  /** Seconds of warm-up per gateway and query of the cache benchmark. */
  cacheWarmup: number;
  /** Workspace renames per second during the cache samples (0: no writer, no stale-read count). */
  cacheWrites: number;
  /** Write bench/results/<date>.{json,svg} and docs/benchmarks.md. */
  write: boolean;
}

/** The queries the cache benchmark measures: (a) and (b), the ones the cache serves. */
export const CACHE_QUERIES = ['single', 'nested'] as const;
export type CacheQueryId = (typeof CACHE_QUERIES)[number];

export const DEFAULTS: Omit<BenchArgs, 'help'> = {
  gateways: true,
  modes: ['full'],
  contention: true,
  targets: [...TARGETS],
  queries: [...QUERIES],
  rounds: 3,
  duration: 5,
  warmup: 2,
  connections: 32,
  contentionSizes: [10, 50, 200],
  throughputLevels: [1, 4, 16, 32],
  throughputDuration: 5,
  throughputConfirm: [...CONFIRM_BY],
  fanout: true,
  fanoutTransports: [...FANOUT_TRANSPORTS],
  fanoutSizes: [1000, 5000, 10000],
  fanoutHttpSizes: [1000, 5000],
  fanoutDedupOffSizes: [1000, 5000],
  fanoutRepeats: 3,
  fanoutPerSocket: 5,
  defer: true,
  deferConcurrency: [1, 8],
  deferRequests: 100,
  identical: false,
  atriumDedup: 'on',
  cache: true,
  cacheQueries: [...CACHE_QUERIES],
  cacheRounds: 3,
  cacheDuration: 5,
  cacheWarmup: 2,
  cacheWrites: 5,
  write: true,
};

export const USAGE = `npm run bench [-- [gateways|defer|contention|fanout|cache] [options]]

Side-by-side gateway benchmark (Atrium vs stock @apollo/gateway vs Hive Gateway, with its
JavaScript and with its Rust query planner, vs the subgraph queried directly), the booking
contention benchmark, the @defer benchmark and the subscription fan-out benchmark
(graphql-ws, multipart HTTP and SSE). Starts everything it needs on
free ports of 127.0.0.1 (PostgreSQL and Redis must run on their default ports) and stops it
all at the end.

  gateways                  only the gateway comparison
  defer                     only the @defer time-to-first-payload benchmark
  contention                only the contention and end-to-end booking throughput
  fanout                    only the subscription fan-out benchmark
  cache                     only the cache benchmark: (a) and (b) with Atrium's
                            CACHE=off and CACHE=redis, hit ratio, stale reads
                            counted under a writer renaming workspaces
  --only a,b,c,e,d,f        targets: atrium (a), stock (b), hive (c), hive-rust (e:
                            Hive Gateway with its Rust query planner), direct (d),
                            floor (f: pg + graphql-js reference subgraphs answering
                            d's queries (a) and (c); full mode only)               [all]
  --light                   the gateway comparison on the benchmark's in-memory
                            subgraphs (same schemas and answers) instead of Atrium's:
                            the gateways bound the rate (= --modes light)
  --modes list              full, light: the gateway comparison on each, one after
                            the other (contention and fan-out run on full)         [full]
  --queries list            single, nested, auth                                  [all]
  --rounds N                measured rounds; each interleaves every target         [${DEFAULTS.rounds}]
  --duration S              seconds per sample                                     [${DEFAULTS.duration}]
  --warmup S                warm-up seconds per target and query (0: none)         [${DEFAULTS.warmup}]
  --connections N           concurrent connections of the load generator          [${DEFAULTS.connections}]
  --contention-sizes list   concurrent requests for one slot                       [${DEFAULTS.contentionSizes.join(',')}]
  --throughput-levels list  concurrent booking flows                               [${DEFAULTS.throughputLevels.join(',')}]
  --throughput-duration S   seconds per throughput level                           [${DEFAULTS.throughputDuration}]
  --throughput-confirm list poll, subscription: how a flow sees CONFIRMED           [${DEFAULTS.throughputConfirm.join(',')}]
  --defer-concurrency list  concurrent clients of the @defer benchmark              [${DEFAULTS.deferConcurrency.join(',')}]
  --defer-requests N        requests per variant and concurrency                   [${DEFAULTS.deferRequests}]
  --fanout-transports list  websocket, multipart, sse                              [${DEFAULTS.fanoutTransports.join(',')}]
  --fanout-sizes list       subscribers over websocket, deduplication on
                            (none: skip)                                            [${DEFAULTS.fanoutSizes.join(',')}]
  --fanout-http-sizes list  subscribers over multipart and over sse, one HTTP
                            request each, deduplication on (none: skip)             [${DEFAULTS.fanoutHttpSizes.join(',')}]
  --fanout-dedup-off-sizes list
                            subscribers over websocket, gateway with
                            SUBSCRIPTION_DEDUP=off (none: skip)                                            [${DEFAULTS.fanoutDedupOffSizes.join(',')}]
  --fanout-repeats N        booking updates per size (medians over them)           [${DEFAULTS.fanoutRepeats}]
  --fanout-per-socket N     subscriptions per WebSocket (1..100)                   [${DEFAULTS.fanoutPerSocket}]
  --cache-queries list      single, nested: the cache benchmark's queries          [${DEFAULTS.cacheQueries.join(',')}]
  --cache-rounds N          cache benchmark rounds (per query: off, on with the
                            writer, on without it)                                 [${DEFAULTS.cacheRounds}]
  --cache-duration S        seconds per cache sample                               [${DEFAULTS.cacheDuration}]
  --cache-warmup S          warm-up seconds per gateway and query (0: none)        [${DEFAULTS.cacheWarmup}]
  --cache-writes N          workspace renames per second during the cache samples
                            (0: no writer, stale reads not counted)                [${DEFAULTS.cacheWrites}]
  --identical               byte-identical requests (default: a unique x-request-id
                            per request, forwarded by every gateway, so that no
                            gateway can merge concurrent identical subgraph fetches)
  --atrium-dedup on|off     Atrium's SUBGRAPH_DEDUP (in-flight merging of identical
                            subgraph queries of one caller, which ignores the
                            request id; off: every request fetches for itself)    [on]
                            (a run with --identical or --atrium-dedup off is a
                            variant: it writes bench/results/<date>-<variant>.json
                            and .txt, and leaves docs/benchmarks.md alone)
  --no-contention           skip the contention benchmark
  --no-fanout               skip the fan-out benchmark
  --no-defer                skip the @defer benchmark
  --no-cache-bench          skip the cache benchmark
  --no-write                print only: no bench/results files, docs untouched
  -h, --help                this text`;

function positiveInt(flag: string, value: string | undefined, min = 1): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < min) {
    throw new Error(`${flag} needs a whole number ≥ ${min}${value === undefined ? '' : `, got "${value}"`}`);
  }
  return Number(value);
}

function positiveNumber(flag: string, value: string | undefined, allowZero = false): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    throw new Error(`${flag} needs a number${allowZero ? ' ≥ 0' : ' > 0'}${value === undefined ? '' : `, got "${value}"`}`);
  }
  return n;
}

function list<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], aliases: Record<string, T> = {}): T[] {
  if (!value) throw new Error(`${flag} needs a comma-separated list of: ${allowed.join(', ')}`);
  const picked = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .map((name) => {
      const id = (aliases[name] ?? name) as T;
      if (!allowed.includes(id)) throw new Error(`${flag}: unknown "${name}" (choose from ${allowed.join(', ')})`);
      return id;
    });
  // Keep the canonical order (A B C D) whatever order was typed: rounds interleave in it.
  return allowed.filter((id) => picked.includes(id));
}

function intList(flag: string, value: string | undefined, allowNone = false): number[] {
  if (allowNone && value?.trim().toLowerCase() === 'none') return [];
  if (!value) throw new Error(`${flag} needs a comma-separated list of whole numbers${allowNone ? ' (or none)' : ''}`);
  return value.split(',').map((s) => positiveInt(flag, s.trim()));
}

/** Parses `argv` (without node and the script). Throws with a message on bad input. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { help: false, ...DEFAULTS, targets: [...DEFAULTS.targets], queries: [...DEFAULTS.queries] };
  let mode: 'all' | 'gateways' | 'defer' | 'contention' | 'fanout' | 'cache' = 'all';
  let modesGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const value = () => (eq > 0 ? raw.slice(eq + 1) : argv[++i]);
    switch (flag) {
      case '-h':
      case '--help':
        args.help = true;
        break;
      case 'gateways':
      case 'defer':
      case 'contention':
      case 'fanout':
      case 'cache':
        if (mode !== 'all' && mode !== flag) throw new Error('choose one of "gateways", "defer", "contention", "fanout" and "cache" (or none, for all five)');
        mode = flag;
        break;
      case '--only':
        args.targets = list('--only', value(), TARGETS, LETTERS);
        break;
      case '--light':
        args.modes = ['light'];
        modesGiven = true;
        break;
      case '--modes':
        args.modes = list('--modes', value(), MODES);
        modesGiven = true;
        break;
      case '--queries':
        args.queries = list('--queries', value(), QUERIES);
        break;
      case '--rounds':
        args.rounds = positiveInt('--rounds', value());
        break;
      case '--duration':
        args.duration = positiveNumber('--duration', value());
        break;
      case '--warmup':
        args.warmup = positiveNumber('--warmup', value(), true);
        break;
      case '--connections':
        args.connections = positiveInt('--connections', value());
        break;
      case '--contention-sizes':
        args.contentionSizes = intList('--contention-sizes', value());
        break;
      case '--throughput-levels':
        args.throughputLevels = intList('--throughput-levels', value());
        break;
      case '--throughput-duration':
        args.throughputDuration = positiveNumber('--throughput-duration', value());
        break;
      case '--throughput-confirm':
        args.throughputConfirm = list('--throughput-confirm', value(), CONFIRM_BY);
        break;
      case '--defer-concurrency':
        args.deferConcurrency = intList('--defer-concurrency', value());
        break;
      case '--defer-requests':
        args.deferRequests = positiveInt('--defer-requests', value());
        break;
      case '--no-defer':
        args.defer = false;
        break;
      case '--fanout-transports':
        args.fanoutTransports = list('--fanout-transports', value(), FANOUT_TRANSPORTS);
        break;
      case '--fanout-http-sizes':
        args.fanoutHttpSizes = intList('--fanout-http-sizes', value(), true);
        break;
      case '--fanout-sizes':
        args.fanoutSizes = intList('--fanout-sizes', value(), true);
        break;
      case '--fanout-dedup-off-sizes':
        args.fanoutDedupOffSizes = intList('--fanout-dedup-off-sizes', value(), true);
        break;
      case '--fanout-repeats':
        args.fanoutRepeats = positiveInt('--fanout-repeats', value());
        break;
      case '--fanout-per-socket': {
        const n = positiveInt('--fanout-per-socket', value());
        if (n > 100) throw new Error(`--fanout-per-socket must be at most 100 (the gateway's SUBSCRIPTIONS_PER_CONNECTION), got ${n}`);
        args.fanoutPerSocket = n;
        break;
      }
      case '--no-contention':
        args.contention = false;
        break;
      case '--no-fanout':
        args.fanout = false;
        break;
      case '--identical':
        args.identical = true;
        break;
      case '--atrium-dedup': {
        const v = value()?.trim().toLowerCase();
        if (v !== 'on' && v !== 'off') throw new Error(`--atrium-dedup needs on or off${v === undefined ? '' : `, got "${v}"`}`);
        args.atriumDedup = v;
        break;
      }
      case '--no-cache-bench':
        args.cache = false;
        break;
      case '--cache-queries':
        args.cacheQueries = list('--cache-queries', value(), CACHE_QUERIES, { a: 'single', b: 'nested' });
        break;
      case '--cache-rounds':
        args.cacheRounds = positiveInt('--cache-rounds', value());
        break;
      case '--cache-duration':
        args.cacheDuration = positiveNumber('--cache-duration', value());
        break;
      case '--cache-warmup':
        args.cacheWarmup = positiveNumber('--cache-warmup', value(), true);
        break;
      case '--cache-writes': {
        const n = positiveNumber('--cache-writes', value(), true);
        // Each write is a mutation through the gateway and an event: a bounded rate, not a load of its own.
        if (n > 50) throw new Error(`--cache-writes must be at most 50 per second, got ${n}`);
        args.cacheWrites = n;
        break;
      }
      case '--no-write':
        args.write = false;
        break;
      default:
        throw new Error(`unknown argument "${raw}" (npm run bench -- --help)`);
    }
  }
  if (mode !== 'all') {
    // A command word runs that part alone.
    args.gateways = mode === 'gateways';
    args.defer = mode === 'defer';
    args.contention = mode === 'contention';
    args.fanout = mode === 'fanout';
    args.cache = mode === 'cache';
  }
  if (!args.modes.includes('full')) {
    // @defer, contention and fan-out read seeded bookings, book, pay and publish: they need Atrium's real subgraphs.
    if (mode === 'defer' || mode === 'contention' || mode === 'fanout' || mode === 'cache') throw new Error(`"${mode}" runs on Atrium's own subgraphs only: drop --light (or add full to --modes)`);
    args.defer = false;
    args.cache = false;
    args.contention = false;
    args.fanout = false;
  } else if (modesGiven && mode !== 'all' && mode !== 'gateways' && args.modes.includes('light')) {
    throw new Error('--modes light applies to the gateway comparison: add "gateways" or drop the command word');
  }
  return args;
}

/**
 * A rough estimate of the fan-out benchmark's seconds (measured on the reference machine):
 * per size, ~9 s to start, warm up and stop a gateway, ~0.5 ms per subscription to open
 * over WebSockets (~2 ms over HTTP, a connection each), and per update ~1 s plus — without
 * deduplication, where every subscriber costs its own upstream event and completion — ~2 ms
 * per subscriber.
 */
export function fanoutPlannedSeconds(
  args: Pick<BenchArgs, 'fanout' | 'fanoutTransports' | 'fanoutSizes' | 'fanoutHttpSizes' | 'fanoutDedupOffSizes' | 'fanoutRepeats'>,
): number {
  if (!args.fanout) return 0;
  const one = (n: number, dedup: boolean, openMs: number) => 9 + (n * openMs) / 1000 + args.fanoutRepeats * (1 + n * (dedup ? 0.00003 : 0.002));
  const sum = (sizes: readonly number[], dedup: boolean, openMs: number) => sizes.reduce((t, n) => t + one(n, dedup, openMs), 0);
  const ws = args.fanoutTransports.includes('websocket') ? sum(args.fanoutSizes, true, 0.5) + sum(args.fanoutDedupOffSizes, false, 0.5) : 0;
  const http = args.fanoutTransports.filter((t) => t !== 'websocket').length * sum(args.fanoutHttpSizes, true, 2);
  return Math.round(ws + http);
}

/** A rough estimate of the @defer benchmark's seconds: per level, warm-up and 2 × N requests of query (b), ≥ 15 ms each (≈ 80 ms alone). */
export function deferPlannedSeconds(args: Pick<BenchArgs, 'defer' | 'deferConcurrency' | 'deferRequests'>): number {
  if (!args.defer) return 0;
  return Math.round(args.deferConcurrency.reduce((t, c) => t + 2 + 2 * args.deferRequests * Math.max(0.08 / c, 0.015), 0));
}

/**
 * A rough estimate of the cache benchmark's seconds: ~10 s to start its two gateways, then
 * per query a warm-up of each gateway (cache off, on) and per round a sample of each
 * variant (off, on with the writer, and on without it when there is a writer), ~1 s of
 * metrics and pauses around each sample.
 */
export function cachePlannedSeconds(args: Pick<BenchArgs, 'cache' | 'cacheQueries' | 'cacheRounds' | 'cacheDuration' | 'cacheWarmup' | 'cacheWrites'>): number {
  if (!args.cache) return 0;
  const variants = args.cacheWrites > 0 ? 3 : 2;
  return Math.round(10 + args.cacheQueries.length * (2 * args.cacheWarmup + args.cacheRounds * variants * (args.cacheDuration + 1)));
}

/** A rough upper bound of the run's measuring time in seconds (setup not included). */
export function plannedSeconds(args: BenchArgs): number {
  const cells = args.gateways ? args.targets.length * args.queries.length * args.modes.length : 0;
  const gateways = cells * (args.warmup + args.rounds * args.duration);
  const contention = args.contention ? args.contentionSizes.length * 2 + args.throughputConfirm.length * args.throughputLevels.length * (args.throughputDuration + 2) : 0;
  return Math.round(gateways + contention + deferPlannedSeconds(args) + fanoutPlannedSeconds(args) + cachePlannedSeconds(args));
}

/**
 * The benchmark's own settings from the environment (BENCH_*, documented in .env.example),
 * read once; the processes it starts get environments it builds, not the caller's.
 */
export interface BenchEnv {
  /** BENCH_DATABASE_URL: the PostgreSQL server the subgraphs' fresh databases are created on. */
  databaseUrl: string;
  /** BENCH_REDIS_URL: the Redis of the run's private event stream, job prefix and rate limits. */
  redisUrl: string;
  /** What every child process takes from the caller's environment: nothing else leaks in (DATABASE_URL…). */
  inherited: NodeJS.ProcessEnv;
}

export function loadBenchEnv(env: NodeJS.ProcessEnv = process.env): BenchEnv {
  const keep = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'];
  return {
    databaseUrl: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    inherited: Object.fromEntries(keep.filter((k) => env[k] !== undefined).map((k) => [k, env[k]])),
  };
}

/** Where a target process of the benchmark (the stock gateway, the mail sink) listens, as the benchmark tells it. */
export interface TargetEnv {
  /** PORT (the stock gateway's default 4000, the mail sink's any free port). */
  port: number | undefined;
  /** HOST, default 127.0.0.1. */
  host: string;
  /** SUPERGRAPH_PATH: the supergraph file the stock gateway serves. */
  supergraphPath: string | undefined;
  /** LIGHT_SUBGRAPH: which subgraph a light subgraph process serves (bench/light/main.ts). */
  lightSubgraph: string | undefined;
  /** SCHEMA_FILE: that subgraph's SDL. */
  schemaFile: string | undefined;
}

export function loadTargetEnv(env: NodeJS.ProcessEnv = process.env): TargetEnv {
  return {
    port: env.PORT === undefined ? undefined : Number(env.PORT),
    host: env.HOST ?? '127.0.0.1',
    supergraphPath: env.SUPERGRAPH_PATH,
    lightSubgraph: env.LIGHT_SUBGRAPH,
    schemaFile: env.SCHEMA_FILE,
  };
}

/**
 * The variant a run measures, when it is not the default comparison: `identical`
 * (`--identical`), `dedup-off` (`--atrium-dedup off`) or both; undefined otherwise.
 */
export function variantOf(args: Pick<BenchArgs, 'identical' | 'atriumDedup'>): string | undefined {
  const parts = [args.identical ? 'identical' : '', args.atriumDedup === 'off' ? 'dedup-off' : ''].filter(Boolean);
  return parts.length ? parts.join('-') : undefined;
}
