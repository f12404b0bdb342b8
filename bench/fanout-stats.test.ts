import { arrivalStats, connectionsNeeded, memoryPerSubscriber, metricSum, OPEN_FILES_MARGIN, openFilesLimit, openFilesProblem, socketsFor, summarizeRepeats } from './fanout-stats';

describe('arrivalStats', () => {
  it('times every arrival from the send and from the first arrival', () => {
    // Sent at 1000; ten subscribers got it 10..100 ms later.
    const arrivals = Array.from({ length: 10 }, (_, i) => 1000 + (i + 1) * 10);
    expect(arrivalStats(1000, arrivals)).toEqual({
      subscribers: 10,
      received: 10,
      fromSend: { p50: 50, p99: 100, max: 100 },
      fromFirst: { p50: 40, p99: 90, max: 90 },
    });
  });
  it('leaves out the subscribers that got nothing (NaN or undefined), whatever their order', () => {
    const arrivals = new Float64Array([1300, Number.NaN, 1100, 1200]);
    const stats = arrivalStats(1000, arrivals);
    expect(stats).toMatchObject({ subscribers: 4, received: 3, fromSend: { p50: 200, max: 300 }, fromFirst: { p50: 100, max: 200 } });
    expect(arrivalStats(0, [5, undefined]).received).toBe(1);
  });
  it('takes p99 by nearest rank over many subscribers', () => {
    const arrivals = Array.from({ length: 1000 }, (_, i) => i + 1); // 1..1000 ms after a send at 0
    const stats = arrivalStats(0, arrivals);
    expect(stats.fromSend).toEqual({ p50: 500, p99: 990, max: 1000 });
    expect(stats.fromFirst).toEqual({ p50: 499, p99: 989, max: 999 });
  });
  it('is NaN throughout when nobody received the event', () => {
    const stats = arrivalStats(0, [Number.NaN, Number.NaN]);
    expect(stats.received).toBe(0);
    expect(stats.fromSend.p50).toBeNaN();
    expect(stats.fromFirst.max).toBeNaN();
  });
});

describe('memoryPerSubscriber', () => {
  it('divides the RSS growth by the subscribers (KiB each)', () => {
    expect(memoryPerSubscriber(200 * 1024, 300 * 1024, 1000)).toBeCloseTo(102.4);
    expect(memoryPerSubscriber(100_000, 99_000, 100)).toBe(-10); // GC between the readings: reported as is
  });
  it('is unknown without both readings or subscribers', () => {
    expect(memoryPerSubscriber(null, 1, 1)).toBeNull();
    expect(memoryPerSubscriber(1, null, 1)).toBeNull();
    expect(memoryPerSubscriber(1, 2, 0)).toBeNull();
  });
});

describe('summarizeRepeats', () => {
  const repeat = (received: number, p50: number, p99: number, max: number, cpu: number | null) => ({
    received,
    fromSend: { p50, p99, max },
    fromFirst: { p50: p50 / 2, p99: p99 / 2, max: max / 2 },
    gatewayCpuMs: cpu,
  });
  it('takes the median of each figure over the repeats and the fewest received', () => {
    const summary = summarizeRepeats([repeat(1000, 40, 90, 100, 30), repeat(998, 60, 70, 300, null), repeat(1000, 50, 80, 200, 50)]);
    expect(summary).toEqual({
      repeats: 3,
      minReceived: 998,
      fromSend: { p50: 50, p99: 80, max: 200 },
      fromFirst: { p50: 25, p99: 40, max: 100 },
      gatewayCpuMs: 40,
    });
  });
  it('has nothing to summarize without repeats', () => {
    expect(summarizeRepeats([])).toMatchObject({ repeats: 0, minReceived: 0, gatewayCpuMs: null });
  });
});

describe('metricSum', () => {
  const text = [
    '# HELP atrium_subscriptions_open GraphQL subscriptions open on this gateway (client side).',
    '# TYPE atrium_subscriptions_open gauge',
    'atrium_subscriptions_open 5000',
    'atrium_subscriptions_open_extra 7',
    'atrium_subscription_upstreams_total{subgraph="booking"} 3',
    'atrium_subscription_upstreams_total{subgraph="health"} 2',
    'atrium_subscriptions_open{service="booking"} 12',
  ].join('\n');
  it('sums every label set of one metric, not metrics that merely share its prefix', () => {
    expect(metricSum(text, 'atrium_subscription_upstreams_total')).toBe(5);
    expect(metricSum(text, 'atrium_subscriptions_open')).toBe(5012);
  });
  it('narrows to samples whose labels contain a filter', () => {
    expect(metricSum(text, 'atrium_subscription_upstreams_total', 'subgraph="booking"')).toBe(3);
  });
  it('is null for a metric that is not there', () => {
    expect(metricSum(text, 'atrium_subscription_events_dropped_total')).toBeNull();
  });
});

describe('open files', () => {
  const limits = [
    'Limit                     Soft Limit           Hard Limit           Units',
    'Max processes             95864                95864                processes',
    'Max open files            1024                 524288               files',
  ].join('\n');
  it('reads the soft and hard limits of /proc/<pid>/limits', () => {
    expect(openFilesLimit(limits)).toEqual({ soft: 1024, hard: 524288 });
    expect(openFilesLimit('Max open files            unlimited            unlimited            files')).toEqual({ soft: Infinity, hard: Infinity });
    expect(openFilesLimit('nothing here')).toBeNull();
  });
  it('counts sockets, a few subscriptions each', () => {
    expect(socketsFor(10_000, 5)).toBe(2000);
    expect(socketsFor(1001, 5)).toBe(201);
    expect(socketsFor(3, 1)).toBe(3);
  });
  it('explains what to do when ulimit -n is too low, and is quiet when it is enough', () => {
    expect(openFilesProblem(1024, 10_000)).toMatch(/ulimit -n is 1024, but 10,000 WebSockets need at least 10,512 open files.*ulimit -n 65536.*--fanout-per-socket/);
    expect(openFilesProblem(20_000, 2000)).toBeNull();
    expect(openFilesProblem(2000 + OPEN_FILES_MARGIN, 2000)).toBeNull();
  });
  it('names HTTP streams and --fanout-http-sizes when HTTP subscribers are what exceeds it', () => {
    expect(openFilesProblem(4096, 5000, true)).toMatch(/5,000 HTTP subscription streams need at least 5,512 open files.*--fanout-http-sizes/);
  });
});

describe('connectionsNeeded', () => {
  const base = { sizes: [1000, 10_000], dedupOffSizes: [5000], httpSizes: [1000, 5000], perSocket: 5 };
  it('counts one connection per HTTP subscriber and one per perSocket WebSocket subscribers, the larger of both', () => {
    expect(connectionsNeeded({ ...base, transports: ['websocket', 'multipart', 'sse'] })).toEqual({ connections: 5000, websocket: false });
    expect(connectionsNeeded({ ...base, transports: ['websocket'] })).toEqual({ connections: 2000, websocket: true });
    expect(connectionsNeeded({ ...base, transports: ['sse'] })).toEqual({ connections: 5000, websocket: false });
    expect(connectionsNeeded({ ...base, httpSizes: [], transports: ['multipart'] })).toEqual({ connections: 0, websocket: true });
  });
});
