/** The command line of `npm run bench` (pure; unit-tested in args.test.ts). */

export const TARGETS = ['atrium', 'stock', 'hive', 'direct'] as const;
export type TargetId = (typeof TARGETS)[number];
/** The letters of the design notes: A = atrium, B = stock, C = hive, D = direct. */
const LETTERS: Record<string, TargetId> = { a: 'atrium', b: 'stock', c: 'hive', d: 'direct' };

export const QUERIES = ['single', 'nested', 'auth'] as const;
export type QueryId = (typeof QUERIES)[number];

export interface BenchArgs {
  help: boolean;
  /** Run the gateway comparison. */
  gateways: boolean;
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
  /**
   * Send byte-identical requests. By default every request carries its own `x-request-id`,
   * which every gateway forwards to the subgraphs, so no gateway can merge concurrent
   * identical subgraph fetches (Hive Gateway does by default): each request costs the same
   * subgraph work everywhere. `--identical` measures with that merging allowed.
   */
  identical: boolean;
  /** Write bench/results/<date>.{json,svg} and docs/benchmarks.md. */
  write: boolean;
}

export const DEFAULTS: Omit<BenchArgs, 'help'> = {
  gateways: true,
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
  identical: false,
  write: true,
};

export const USAGE = `npm run bench [-- [gateways|contention] [options]]

Side-by-side gateway benchmark (Atrium vs stock @apollo/gateway vs Hive Gateway vs the
subgraph queried directly) and the booking contention benchmark. Starts everything it
needs on free ports of 127.0.0.1 (PostgreSQL and Redis must run on their default ports)
and stops it all at the end.

  gateways                  only the gateway comparison
  contention                only the contention and end-to-end booking throughput
  --only a,b,c,d            targets: atrium (a), stock (b), hive (c), direct (d)   [all]
  --queries list            single, nested, auth                                  [all]
  --rounds N                measured rounds; each interleaves every target         [${DEFAULTS.rounds}]
  --duration S              seconds per sample                                     [${DEFAULTS.duration}]
  --warmup S                warm-up seconds per target and query (0: none)         [${DEFAULTS.warmup}]
  --connections N           concurrent connections of the load generator          [${DEFAULTS.connections}]
  --contention-sizes list   concurrent requests for one slot                       [${DEFAULTS.contentionSizes.join(',')}]
  --throughput-levels list  concurrent booking flows                               [${DEFAULTS.throughputLevels.join(',')}]
  --throughput-duration S   seconds per throughput level                           [${DEFAULTS.throughputDuration}]
  --identical               byte-identical requests (default: a unique x-request-id
                            per request, forwarded by every gateway, so that no
                            gateway can merge concurrent identical subgraph fetches)
  --no-contention           skip the contention benchmark
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

function intList(flag: string, value: string | undefined): number[] {
  if (!value) throw new Error(`${flag} needs a comma-separated list of whole numbers`);
  return value.split(',').map((s) => positiveInt(flag, s.trim()));
}

/** Parses `argv` (without node and the script). Throws with a message on bad input. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { help: false, ...DEFAULTS, targets: [...DEFAULTS.targets], queries: [...DEFAULTS.queries] };
  let mode: 'all' | 'gateways' | 'contention' = 'all';
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
      case 'contention':
        if (mode !== 'all' && mode !== flag) throw new Error('choose one of "gateways" and "contention" (or neither, for both)');
        mode = flag;
        break;
      case '--only':
        args.targets = list('--only', value(), TARGETS, LETTERS);
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
      case '--no-contention':
        args.contention = false;
        break;
      case '--identical':
        args.identical = true;
        break;
      case '--no-write':
        args.write = false;
        break;
      default:
        throw new Error(`unknown argument "${raw}" (npm run bench -- --help)`);
    }
  }
  if (mode === 'gateways') args.contention = false;
  if (mode === 'contention') {
    args.gateways = false;
    args.contention = true;
  }
  return args;
}

/** A rough upper bound of the run's measuring time in seconds (setup not included). */
export function plannedSeconds(args: BenchArgs): number {
  const cells = args.gateways ? args.targets.length * args.queries.length : 0;
  const gateways = cells * (args.warmup + args.rounds * args.duration);
  const contention = args.contention ? args.contentionSizes.length * 2 + args.throughputLevels.length * (args.throughputDuration + 2) : 0;
  return Math.round(gateways + contention);
}
