import { cachePlannedSeconds, DEFAULTS, deferPlannedSeconds, fanoutPlannedSeconds, parseBenchArgs, plannedSeconds, variantOf } from './args';

describe('parseBenchArgs', () => {
  it('defaults to both benchmarks, every target and query', () => {
    expect(parseBenchArgs([])).toEqual({ help: false, ...DEFAULTS });
  });
  it('reads the measuring settings, with or without =', () => {
    const args = parseBenchArgs(['--rounds', '2', '--duration=3', '--connections', '16', '--warmup', '0']);
    expect(args).toMatchObject({ rounds: 2, duration: 3, connections: 16, warmup: 0 });
  });
  it('takes targets by name or letter, in the canonical order', () => {
    expect(parseBenchArgs(['--only', 'hive,a']).targets).toEqual(['atrium', 'hive']);
    expect(parseBenchArgs(['--only', 'D,stock']).targets).toEqual(['stock', 'direct']);
    expect(parseBenchArgs(['--only', 'a,e']).targets).toEqual(['atrium', 'hive-rust']);
    expect(parseBenchArgs(['--only', 'direct,hive-rust,c']).targets).toEqual(['hive', 'hive-rust', 'direct']);
    expect(parseBenchArgs([]).targets).toEqual(['atrium', 'stock', 'hive', 'hive-rust', 'direct', 'floor']);
    expect(parseBenchArgs(['--only', 'f,d']).targets).toEqual(['direct', 'floor']);
    expect(parseBenchArgs(['--only', 'floor']).targets).toEqual(['floor']);
    expect(parseBenchArgs(['--queries', 'nested']).queries).toEqual(['nested']);
  });
  it('picks one benchmark with a command word', () => {
    expect(parseBenchArgs(['contention'])).toMatchObject({ gateways: false, contention: true });
    expect(parseBenchArgs(['gateways'])).toMatchObject({ gateways: true, contention: false });
    expect(parseBenchArgs(['--no-contention'])).toMatchObject({ gateways: true, contention: false });
    expect(parseBenchArgs(['contention', '--contention-sizes', '5,20', '--throughput-levels', '2'])).toMatchObject({ contentionSizes: [5, 20], throughputLevels: [2] });
  });
  it('refuses what it does not understand, naming it', () => {
    expect(() => parseBenchArgs(['--only', 'router'])).toThrow(/unknown "router"/);
    expect(() => parseBenchArgs(['--rounds', '0'])).toThrow(/--rounds/);
    expect(() => parseBenchArgs(['--duration', 'x'])).toThrow(/--duration/);
    expect(() => parseBenchArgs(['--rounds'])).toThrow(/--rounds/);
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown argument "--fast"/);
    expect(() => parseBenchArgs(['gateways', 'contention'])).toThrow(/choose one/);
    expect(() => parseBenchArgs(['fanout', 'gateways'])).toThrow(/choose one/);
    expect(() => parseBenchArgs(['--fanout-per-socket', '101'])).toThrow(/at most 100/);
    expect(() => parseBenchArgs(['--fanout-sizes', '1,x'])).toThrow(/--fanout-sizes/);
    expect(() => parseBenchArgs(['--throughput-confirm', 'sse'])).toThrow(/unknown "sse"/);
  });
  it('runs the fan-out benchmark by default, alone as a mode of its own, or not at all', () => {
    expect(parseBenchArgs([])).toMatchObject({ gateways: true, contention: true, fanout: true });
    expect(parseBenchArgs(['gateways']).fanout).toBe(false);
    expect(parseBenchArgs(['contention']).fanout).toBe(false);
    expect(parseBenchArgs(['--no-fanout'])).toMatchObject({ gateways: true, contention: true, fanout: false });
    expect(parseBenchArgs(['fanout'])).toMatchObject({ gateways: false, contention: false, fanout: true, fanoutSizes: [1000, 5000, 10000], fanoutDedupOffSizes: [1000, 5000], fanoutRepeats: 3 });
    expect(
      parseBenchArgs(['fanout', '--fanout-sizes', '100,200', '--fanout-dedup-off-sizes', 'none', '--fanout-repeats', '5', '--fanout-per-socket', '1']),
    ).toMatchObject({ fanoutSizes: [100, 200], fanoutDedupOffSizes: [], fanoutRepeats: 5, fanoutPerSocket: 1 });
    expect(parseBenchArgs(['fanout', '--fanout-sizes', 'none', '--fanout-dedup-off-sizes', '10000'])).toMatchObject({ fanoutSizes: [], fanoutDedupOffSizes: [10000] });
  });
  it('confirms throughput bookings by polling and by subscription unless told', () => {
    expect(parseBenchArgs([]).throughputConfirm).toEqual(['poll', 'subscription']);
    expect(parseBenchArgs(['--throughput-confirm', 'subscription']).throughputConfirm).toEqual(['subscription']);
  });
});

describe('@defer and fan-out transports', () => {
  it('runs the @defer benchmark by default at 1 and 8 clients, alone with its command word, or not at all', () => {
    expect(parseBenchArgs([])).toMatchObject({ defer: true, deferConcurrency: [1, 8], deferRequests: 100 });
    expect(parseBenchArgs(['defer'])).toMatchObject({ gateways: false, defer: true, contention: false, fanout: false });
    expect(parseBenchArgs(['defer', '--defer-concurrency', '2,4', '--defer-requests=20'])).toMatchObject({ deferConcurrency: [2, 4], deferRequests: 20 });
    expect(parseBenchArgs(['--no-defer']).defer).toBe(false);
    expect(parseBenchArgs(['fanout']).defer).toBe(false);
    expect(parseBenchArgs(['--light']).defer).toBe(false);
    expect(() => parseBenchArgs(['defer', '--light'])).toThrow(/Atrium's own subgraphs/);
    expect(() => parseBenchArgs(['defer', 'fanout'])).toThrow(/choose one/);
    expect(() => parseBenchArgs(['--defer-requests', '0'])).toThrow(/--defer-requests/);
  });
  it('fans out over every transport by default, HTTP ones at 1,000 and 5,000, or over those listed', () => {
    expect(parseBenchArgs(['fanout'])).toMatchObject({ fanoutTransports: ['websocket', 'multipart', 'sse'], fanoutHttpSizes: [1000, 5000] });
    expect(parseBenchArgs(['fanout', '--fanout-transports', 'sse,websocket']).fanoutTransports).toEqual(['websocket', 'sse']);
    expect(parseBenchArgs(['fanout', '--fanout-http-sizes', 'none']).fanoutHttpSizes).toEqual([]);
    expect(() => parseBenchArgs(['--fanout-transports', 'grpc'])).toThrow(/unknown "grpc"/);
  });
  it('counts the HTTP transports and the @defer levels in the planned time', () => {
    const ws = fanoutPlannedSeconds(parseBenchArgs(['fanout', '--fanout-transports', 'websocket']));
    const all = fanoutPlannedSeconds(parseBenchArgs(['fanout']));
    const oneHttp = fanoutPlannedSeconds(parseBenchArgs(['fanout', '--fanout-transports', 'sse']));
    expect(oneHttp).toBeGreaterThan(0);
    expect(Math.abs(all - ws - 2 * oneHttp)).toBeLessThanOrEqual(1);
    expect(deferPlannedSeconds(parseBenchArgs(['defer', '--defer-concurrency', '1']))).toBe(2 + 200 * 0.08);
    expect(deferPlannedSeconds(parseBenchArgs(['gateways']))).toBe(0);
  });
});

describe('light mode', () => {
  it('measures on Atrium\'s subgraphs unless told', () => {
    expect(parseBenchArgs([]).modes).toEqual(['full']);
  });
  it('runs the gateway comparison alone on the light subgraphs with --light', () => {
    expect(parseBenchArgs(['--light'])).toMatchObject({ modes: ['light'], gateways: true, contention: false, fanout: false });
    expect(parseBenchArgs(['gateways', '--light', '--only', 'a,e'])).toMatchObject({ modes: ['light'], targets: ['atrium', 'hive-rust'] });
  });
  it('runs both comparisons with --modes, contention and fan-out on the full stack', () => {
    expect(parseBenchArgs(['--modes', 'light,full'])).toMatchObject({ modes: ['full', 'light'], gateways: true, contention: true, fanout: true });
    expect(parseBenchArgs(['gateways', '--modes=full,light'])).toMatchObject({ modes: ['full', 'light'], contention: false, fanout: false });
  });
  it('refuses light subgraphs for the parts that book and publish, and unknown modes', () => {
    expect(() => parseBenchArgs(['contention', '--light'])).toThrow(/Atrium's own subgraphs/);
    expect(() => parseBenchArgs(['fanout', '--modes', 'light'])).toThrow(/Atrium's own subgraphs/);
    expect(() => parseBenchArgs(['fanout', '--modes', 'full,light'])).toThrow(/gateway comparison/);
    expect(() => parseBenchArgs(['--modes', 'heavy'])).toThrow(/unknown "heavy"/);
  });
  it('counts each mode\'s cells in the planned time', () => {
    const one = plannedSeconds(parseBenchArgs(['gateways', '--rounds', '1', '--duration', '2', '--warmup', '0', '--only', 'a']));
    expect(plannedSeconds(parseBenchArgs(['gateways', '--rounds', '1', '--duration', '2', '--warmup', '0', '--only', 'a', '--modes', 'full,light']))).toBe(2 * one);
  });
});

describe('--atrium-dedup', () => {
  it('leaves Atrium\'s in-flight merging of subgraph fetches on unless told, and takes on or off', () => {
    expect(parseBenchArgs([]).atriumDedup).toBe('on');
    expect(parseBenchArgs(['--atrium-dedup', 'off']).atriumDedup).toBe('off');
    expect(parseBenchArgs(['--atrium-dedup=ON']).atriumDedup).toBe('on');
    expect(() => parseBenchArgs(['--atrium-dedup', 'maybe'])).toThrow(/on or off, got "maybe"/);
  });
});

describe('plannedSeconds', () => {
  it('adds warm-up and rounds of every cell, and the contention work', () => {
    const args = parseBenchArgs(['--rounds', '2', '--duration', '3', '--warmup', '1', '--only', 'a,b', '--queries', 'single', '--no-contention', '--no-fanout', '--no-defer', '--no-cache-bench']);
    expect(plannedSeconds(args)).toBe(2 * (1 + 2 * 3));
  });
  // Twelve minutes of measuring, with the setups (stack, seeding, the fan-out's and the cache's gateways) well under 25 minutes in all.
  it('keeps the default run within twelve minutes of measuring', () => {
    expect(plannedSeconds(parseBenchArgs([]))).toBeLessThan(720);
  });
  it('estimates the fan-out mode, dominated by the updates without deduplication', () => {
    const args = parseBenchArgs(['fanout']);
    expect(plannedSeconds(args)).toBe(fanoutPlannedSeconds(args));
    expect(fanoutPlannedSeconds(parseBenchArgs(['fanout', '--fanout-dedup-off-sizes', '5000']))).toBeGreaterThan(
      fanoutPlannedSeconds(parseBenchArgs(['fanout', '--fanout-dedup-off-sizes', '1000'])),
    );
    expect(fanoutPlannedSeconds(parseBenchArgs(['gateways']))).toBe(0);
  });
});

describe('the cache benchmark', () => {
  it('is part of the default run, alone with "cache", skipped with --no-cache-bench', () => {
    expect(parseBenchArgs([])).toMatchObject({ cache: true, cacheQueries: ['single', 'nested'], cacheWrites: 5 });
    expect(parseBenchArgs(['cache'])).toMatchObject({ cache: true, gateways: false, defer: false, contention: false, fanout: false });
    expect(parseBenchArgs(['gateways']).cache).toBe(false);
    expect(parseBenchArgs(['fanout']).cache).toBe(false);
    expect(parseBenchArgs(['--no-cache-bench'])).toMatchObject({ cache: false, gateways: true });
    expect(() => parseBenchArgs(['cache', 'defer'])).toThrow(/choose one/);
    expect(() => parseBenchArgs(['cache', '--light'])).toThrow(/Atrium's own subgraphs/);
    expect(parseBenchArgs(['--light']).cache).toBe(false);
  });
  it('reads its own settings', () => {
    const args = parseBenchArgs(['cache', '--cache-queries', 'b', '--cache-rounds', '2', '--cache-duration=4', '--cache-warmup', '0', '--cache-writes', '0']);
    expect(args).toMatchObject({ cacheQueries: ['nested'], cacheRounds: 2, cacheDuration: 4, cacheWarmup: 0, cacheWrites: 0 });
    expect(parseBenchArgs(['--cache-queries', 'nested,single']).cacheQueries).toEqual(['single', 'nested']);
    expect(() => parseBenchArgs(['--cache-queries', 'auth'])).toThrow(/unknown "auth"/);
    expect(() => parseBenchArgs(['--cache-writes', '100'])).toThrow(/at most 50/);
    expect(() => parseBenchArgs(['--cache-rounds', '0'])).toThrow(/--cache-rounds/);
  });
  it('plans a warm-up per gateway and, per round, cache off, on with the writer and on without it, per query', () => {
    const args = parseBenchArgs(['cache', '--cache-queries', 'a', '--cache-rounds', '2', '--cache-duration', '3', '--cache-warmup', '1']);
    expect(cachePlannedSeconds(args)).toBe(10 + 2 * 1 + 2 * 3 * (3 + 1));
    expect(cachePlannedSeconds({ ...args, cacheWrites: 0 })).toBe(10 + 2 * 1 + 2 * 2 * (3 + 1));
    expect(plannedSeconds(args)).toBe(cachePlannedSeconds(args));
    expect(cachePlannedSeconds(parseBenchArgs(['gateways']))).toBe(0);
  });
});

describe('variantOf (where a run that is not the default comparison is recorded)', () => {
  it('names identical requests, deduplication off, both, or nothing for the default run', () => {
    expect(variantOf(parseBenchArgs([]))).toBeUndefined();
    expect(variantOf(parseBenchArgs(['--identical']))).toBe('identical');
    expect(variantOf(parseBenchArgs(['--atrium-dedup', 'off']))).toBe('dedup-off');
    expect(variantOf(parseBenchArgs(['--identical', '--atrium-dedup', 'off']))).toBe('identical-dedup-off');
    expect(variantOf(parseBenchArgs(['--atrium-dedup', 'on']))).toBeUndefined();
  });
});
