import type { DeferResult } from './defer';
import type { FanoutResult, FanoutRun } from './fanout';
import {
  chartOf,
  checkTargets,
  dedupCaveat,
  describeCheck,
  formatChecks,
  formatContention,
  formatDefer,
  formatFanout,
  formatTable,
  mergeReports,
  renderMarkdownSection,
  replaceSection,
  SECTION_END,
  SECTION_START,
  type Comparison,
  type RunReport,
} from './report';
import { ratios, summarize, type Cell, type Sample } from './stats';

const sample = (rps: number): Sample => ({ round: 1, rps, p50: 5, p99: 9, responses: rps * 5, non2xx: 0, graphqlErrors: 0, socketErrors: 0, peakRssMb: 80, cpuPercent: 95, cpuMsPerRequest: 1.5, processCpu: { booking: 70, catalog: 20, payment: 5 } });
const ok = (target: string, query: string, rps: number): Cell => ({ target, query, status: 'ok', samples: [sample(rps)], summary: summarize([sample(rps)]) });
const cells: Cell[] = [ok('atrium', 'nested', 900), ok('stock', 'nested', 300), { target: 'hive', query: 'nested', status: 'error', reason: 'INTERNAL_SERVER_ERROR: boom', samples: [] }];

const report: RunReport = {
  date: '2030-01-02',
  startedAt: '2030-01-02T10:00:00.000Z',
  finishedAt: '2030-01-02T10:05:00.000Z',
  machine: { cpus: 2, cpuModel: 'Test CPU', memoryGb: 8, node: '20.0.0', os: 'Linux' },
  settings: { rounds: 3, duration: 5, warmup: 2, connections: 32 },
  versions: { '@apollo/gateway': '2.14.4' },
  targets: [],
  cells,
  ratios: ratios(cells, 'atrium', ['stock', 'hive']),
  contention: {
    bursts: [{ size: 10, slot: { workspaceId: 'w', startsAt: 's', endsAt: 'e' }, wallMs: 50, requests: 10, winners: 1, conflicts: 9, otherErrors: {}, http5xx: 0, failedRequests: 0, correct: true }],
    throughput: [
      { concurrency: 4, seconds: 5, confirmed: 40, failures: {}, bookingsPerSecond: 8, p50: 400, p99: 900 },
      { confirmBy: 'subscription', concurrency: 4, seconds: 5, confirmed: 60, failures: { 'no CONFIRMED event within 30 s': 1 }, bookingsPerSecond: 12, p50: 250, p99: 600 },
    ],
  },
  notes: ['stock got a stripped supergraph'],
};

describe('formatTable', () => {
  it('shows each cell, an error instead of numbers, and the ratios', () => {
    const table = formatTable(report);
    expect(table).toMatch(/\(b\) nested cross-subgraph\s+A Atrium\s+900/);
    expect(table).toContain('ERROR: INTERNAL_SERVER_ERROR: boom');
    expect(table).toMatch(/atrium\/stock\s+3\.00×/);
    expect(table).toMatch(/atrium\/hive\s+–/);
  });
});

describe('renderMarkdownSection', () => {
  const section = renderMarkdownSection(report, '../bench/results/2030-01-02.svg');
  it('is wrapped in the markers and carries the tables, chart, contention and notes', () => {
    expect(section.startsWith(SECTION_START)).toBe(true);
    expect(section.endsWith(SECTION_END)).toBe(true);
    expect(section).toContain('![requests per second by target and query](../bench/results/2030-01-02.svg)');
    expect(section).toContain('| (b) nested cross-subgraph | A Atrium | 900 |');
    expect(section).toContain('| 1.50 | booking 70, catalog 20, payment 5 |');
    expect(section).toContain('| 10 | 1 | 9 | 0 | 0 | correct |');
    expect(section).toContain('| poll | 4 | 40 | 8.0 | 400 | 900 | 0 |');
    expect(section).toContain('| subscription | 4 | 60 | 12.0 | 250 | 600 | {"no CONFIRMED event within 30 s":1} |');
    expect(section).toContain('- stock got a stripped supergraph');
  });
});

describe('replaceSection', () => {
  const doc = `# Benchmarks\n\nMethod.\n\n${SECTION_START}\nold results\n${SECTION_END}\n\n## Levers\n\nLater.\n`;
  it('replaces only what is between the markers', () => {
    const out = replaceSection(doc, `${SECTION_START}\nnew results\n${SECTION_END}`);
    expect(out).toBe(`# Benchmarks\n\nMethod.\n\n${SECTION_START}\nnew results\n${SECTION_END}\n\n## Levers\n\nLater.\n`);
    expect(replaceSection(out, `${SECTION_START}\nnewer\n${SECTION_END}`)).not.toContain('new results');
  });
  it('appends the section to a document without markers', () => {
    expect(replaceSection('# Benchmarks\n', `${SECTION_START}\nx\n${SECTION_END}`)).toBe(`# Benchmarks\n\n${SECTION_START}\nx\n${SECTION_END}\n`);
  });
});

describe('chartOf', () => {
  it('groups bars by query, one per target, marking unmeasured targets', () => {
    const chart = chartOf(report);
    expect(chart.groups).toHaveLength(1);
    expect(chart.groups[0].bars).toEqual([
      { series: 'A Atrium', value: 900 },
      { series: 'B stock @apollo/gateway', value: 300 },
      { series: 'C Hive Gateway', value: null, note: 'error' },
    ]);
  });
});

const fanRun = (dedup: 'on' | 'off', n: number, p50: number, extra: Partial<FanoutRun> = {}): FanoutRun => ({
  dedup,
  subscribers: n,
  sockets: n / 5,
  perSocket: 5,
  status: 'ok',
  openSeconds: 2.5,
  subscribeCpuMs: 0.4,
  gcBeforeReadings: true,
  rssBeforeMb: 180,
  rssOpenMb: 220,
  kbPerSubscriber: 41,
  heapKbPerSubscriber: 30.25,
  peakRssMb: 230,
  upstreams: dedup === 'on' ? 1 : n,
  delivered: 3 * n,
  dropped: 0,
  repeats: [],
  summary: { repeats: 3, minReceived: n, fromSend: { p50, p99: p50 * 2, max: p50 * 3 }, fromFirst: { p50: 5, p99: 20, max: 30 }, gatewayCpuMs: 120 },
  ...extra,
});
const fanout: FanoutResult = {
  startedAt: '2030-01-02T11:00:00.000Z',
  finishedAt: '2030-01-02T11:05:00.000Z',
  loadAtStart: [1.5, 1, 1],
  loadAtEnd: [2.5, 2, 2],
  query: 'subscription { … }',
  perSocket: 5,
  repeats: 3,
  runs: [
    fanRun('on', 10_000, 80),
    fanRun('off', 5000, 9000, { status: 'error', reason: 'not every subscriber got every update: 4990, 5000, 5000 of 5000', summary: undefined }),
  ],
  notes: ['Fan-out dedup off, N=5,000: not every subscriber got every update'],
};

describe('fan-out report', () => {
  it('prints one row per gateway and N, errors instead of numbers', () => {
    const text = formatFanout(fanout);
    expect(text).toMatch(/on\s+10,000\s+2,000 × 5\s+10,000 \/ 10,000\s+80\s+160\s+240\s+5 \/ 20 \/ 30\s+1\s+180 → 220\s+41\.0 \/ 30\.3\s+120\s+2\.5\s+ok/);
    expect(text).toContain('ERROR: not every subscriber got every update: 4990, 5000, 5000 of 5000');
  });
  it('renders its table, method line and notes in the generated section', () => {
    const section = renderMarkdownSection({ ...report, fanout });
    expect(section).toContain('**Subscription fan-out** (run started 2030-01-02 11:00 UTC, load average 1.5 at start, 2.5 at end)');
    expect(section).toContain('| on | 10,000 | 2,000 × 5 | 10,000 / 10,000 | 80 | 160 | 240 | 5 / 20 / 30 | 1 | 180 → 220 | 41.0 / 30.3 | 120 | 2.5 | ok |');
    expect(section).toContain('| off | 5,000 | 1,000 × 5 | – |');
    expect(renderMarkdownSection({ ...report, fanout: { ...fanout, runs: [fanRun('on', 1000, 50, { gcBeforeReadings: false })] } })).toContain('| 41.0 / 30.3 (no GC) |');
    expect(section).toContain('- Fan-out dedup off, N=5,000: not every subscriber got every update');
  });
  it('labels throughput rows with how CONFIRMED was seen (poll for older results)', () => {
    expect(formatContention(report.contention!)).toMatch(/poll\s+4\s+40\s+8\.0/);
    expect(formatContention(report.contention!)).toMatch(/subscription\s+4\s+60\s+12\.0/);
  });
});

describe('mergeReports', () => {
  const fanoutOnly: RunReport = { ...report, startedAt: '2030-01-03T09:00:00.000Z', date: '2030-01-03', cells: [], ratios: [], contention: undefined, fanout, notes: [], settings: { rounds: 1, duration: 1, warmup: 0, connections: 1 } };
  it('keeps the parts a run did not measure from the previous file, saying when they were measured', () => {
    const merged = mergeReports(fanoutOnly, { gateways: false, contention: false, fanout: true }, report);
    expect(merged.cells).toBe(report.cells);
    expect(merged.settings).toEqual(report.settings);
    expect(merged.contention).toBe(report.contention);
    expect(merged.fanout).toBe(fanout);
    expect(merged.notes).toEqual(['stock got a stripped supergraph']);
    expect(merged.carried).toEqual({ gateways: report.startedAt, contention: report.startedAt });
    expect(merged.date).toBe('2030-01-03');
    const section = renderMarkdownSection(merged);
    expect(section).toContain('_Not measured by the latest run, kept from earlier ones: the gateway comparison on Atrium\'s subgraphs (run started 2030-01-02 10:00 UTC); the contention and booking throughput (run started 2030-01-02 10:00 UTC)._');
  });
  it('keeps a carried part\'s original time through later merges, and carries the fan-out into a full run', () => {
    const first = mergeReports(fanoutOnly, { gateways: false, contention: false, fanout: true }, report);
    const full = { ...report, startedAt: '2030-01-04T08:00:00.000Z', fanout: undefined };
    const second = mergeReports(full, { gateways: true, contention: true, fanout: false }, first);
    expect(second.cells).toBe(full.cells);
    expect(second.fanout).toBe(fanout);
    expect(second.carried).toEqual({ fanout: '2030-01-03T09:00:00.000Z' });
    const third = mergeReports({ ...fanoutOnly, startedAt: '2030-01-05T00:00:00.000Z', fanout: undefined }, { gateways: false, contention: false, fanout: false }, first);
    expect(third.carried).toEqual({ gateways: report.startedAt, contention: report.startedAt, fanout: '2030-01-03T09:00:00.000Z' });
  });
  it('changes nothing without a previous file, or when everything was measured', () => {
    expect(mergeReports(report, { gateways: true, contention: true, fanout: true }, undefined)).toBe(report);
    expect(mergeReports(report, { gateways: true, contention: true, fanout: true }, fanoutOnly).carried).toBeUndefined();
  });
});

describe('fan-out over several transports', () => {
  const http = (transport: 'multipart' | 'sse', n: number) => fanRun('on', n, 90, { transport, sockets: n, perSocket: 1 });
  const byTransport: FanoutResult = { ...fanout, transports: ['websocket', 'multipart', 'sse'], runs: [fanRun('on', 1000, 60, { transport: 'websocket', sockets: 200 }), http('multipart', 1000), http('sse', 1000)] };
  it('names each row\'s transport (websocket for results written before there were others) and its connections', () => {
    const text = formatFanout(byTransport);
    expect(text).toMatch(/websocket\s+on\s+1,000\s+200 × 5/);
    expect(text).toMatch(/multipart\s+on\s+1,000\s+1,000 × 1/);
    expect(text).toMatch(/sse\s+on\s+1,000\s+1,000 × 1/);
    expect(renderMarkdownSection({ ...report, fanout })).toContain('| websocket | on | 10,000 | 2,000 × 5 |');
  });
  it('keeps the rows of transports a fan-out run did not measure, marked with when they were', () => {
    const previous: RunReport = { ...report, fanout: byTransport };
    const sseOnly: FanoutResult = { ...fanout, startedAt: '2030-01-03T12:00:00.000Z', transports: ['sse'], runs: [http('sse', 5000)] };
    const merged = mergeReports({ ...report, startedAt: '2030-01-03T12:00:00.000Z', fanout: sseOnly }, { gateways: true, contention: true, fanout: true }, previous);
    expect(merged.fanout!.runs.map((r) => [r.transport, r.subscribers, r.carriedFrom])).toEqual([
      ['sse', 5000, undefined],
      ['websocket', 1000, fanout.startedAt],
      ['multipart', 1000, fanout.startedAt],
    ]);
    expect(merged.carried).toBeUndefined();
    const section = renderMarkdownSection(merged);
    expect(section).toContain('| websocket * | on | 1,000 |');
    expect(section).toContain('\\* not measured by this fan-out run (`--fanout-transports`), kept from the run started 2030-01-02 11:00 UTC.');
  });
});

describe('@defer report', () => {
  const defer: DeferResult = {
    startedAt: '2030-01-02T10:30:00.000Z',
    finishedAt: '2030-01-02T10:31:00.000Z',
    loadAtStart: [1.2, 1, 1],
    loadAtEnd: [1.4, 1, 1],
    query: 'query { … @defer … }',
    plainQuery: 'query { … }',
    levels: [
      {
        concurrency: 8,
        requests: 100,
        plain: { totalMs: { p50: 150, p99: 300 }, errors: 0, cpuMsPerRequest: 2.5 },
        deferred: { firstMs: { p50: 45, p99: 90 }, lastMs: { p50: 170, p99: 320 }, errors: 0, cpuMsPerRequest: 2.75, partsMedian: 2 },
        ratio: { p50: 0.3, p99: 0.3 },
        failures: {},
      },
    ],
    notes: [],
  };
  it('prints and renders one row per concurrency with both variants and the ratio', () => {
    expect(formatDefer(defer)).toMatch(/8\s+100\s+150\.0 \/ 300\.0\s+45\.0 \/ 90\.0\s+170\.0 \/ 320\.0\s+2\s+0\.30× \/ 0\.30×\s+2\.50 \/ 2\.75\s+0 \/ 0/);
    const section = renderMarkdownSection({ ...report, defer });
    expect(section).toContain('**@defer: time to first payload** (run started 2030-01-02 10:30 UTC, load average 1.2 at start, 1.4 at end)');
    expect(section).toContain('| 8 | 100 | 150.0 / 300.0 | 45.0 / 90.0 | 170.0 / 320.0 | 2 | 0.30× / 0.30× | 2.50 / 2.75 | 0 / 0 |');
  });
  it('is carried by a run that did not measure it, and replaced by one that did', () => {
    const merged = mergeReports({ ...report, startedAt: '2030-01-03T00:00:00.000Z', defer: undefined }, { gateways: true, contention: true, fanout: true, defer: false }, { ...report, defer });
    expect(merged.defer).toBe(defer);
    expect(merged.carried).toEqual({ defer: defer.startedAt });
    expect(renderMarkdownSection(merged)).toContain('the @defer benchmark (run started 2030-01-02 10:30 UTC)');
    const fresh = { ...defer, startedAt: '2030-01-04T00:00:00.000Z' };
    expect(mergeReports({ ...report, defer: fresh }, { gateways: true, contention: true, fanout: true, defer: true }, merged).defer).toBe(fresh);
  });
});

describe('checkTargets (issue 10)', () => {
  const costly = (target: string, query: string, rps: number, p99: number, cpuMsPerRequest: number): Cell => {
    const s: Sample = { ...sample(rps), p99, cpuMsPerRequest };
    return { target, query, status: 'ok', samples: [s], summary: summarize([s]) };
  };
  const grid = [
    costly('atrium', 'single', 800, 90, 0.6),
    costly('hive-rust', 'single', 400, 100, 1.5),
    costly('hive', 'single', 300, 150, 2.5),
    costly('atrium', 'nested', 100, 500, 1.5),
    costly('hive-rust', 'nested', 120, 400, 2.0),
  ];
  it('checks CPU ≤ 0.5×, req/s ≥ 1.0× and p99 ≤ 1.0× against Hive Gateway + Rust planner, per query', () => {
    const checks = checkTargets(grid);
    expect(checks.map((c) => [c.query, c.metric, c.peer, c.met])).toEqual([
      ['single', 'cpu', 'hive-rust', true],
      ['single', 'rps', 'hive-rust', true],
      ['single', 'p99', 'hive-rust', true],
      ['nested', 'cpu', 'hive-rust', false],
      ['nested', 'rps', 'hive-rust', false],
      ['nested', 'p99', 'hive-rust', false],
    ]);
    expect(checks[0].ratio).toBeCloseTo(0.4);
    expect(checks[3].ratio).toBeCloseTo(0.75);
  });
  it('counts a ratio exactly at the limit as met', () => {
    const [cpu] = checkTargets([costly('atrium', 'auth', 100, 10, 1), costly('hive-rust', 'auth', 100, 10, 2)]);
    expect(cpu).toMatchObject({ ratio: 0.5, met: true });
  });
  it('says "not measured" when a figure is missing, never met', () => {
    const checks = checkTargets([costly('atrium', 'auth', 100, 10, 1), { target: 'hive-rust', query: 'auth', status: 'error', reason: 'boom', samples: [] }]);
    expect(checks.every((c) => c.met === null && c.ratio === null)).toBe(true);
    expect(formatChecks(checks)).toMatch(/\(c\) field-level auth\s+gateway CPU ms\/req ≤ 0\.5× Hive \+ Rust planner\s+–\s+not measured/);
  });
  it('with identical requests, checks throughput against both Hive runtimes', () => {
    const checks = checkTargets(grid, 'identical');
    expect(checks.filter((c) => c.query === 'single').map((c) => [c.metric, c.peer, c.met])).toEqual([
      ['rps', 'hive', true],
      ['rps', 'hive-rust', true],
    ]);
    expect(describeCheck(checks[0])).toBe('req/s ≥ 1.0× Hive (JS planner), identical requests');
    expect(formatChecks(checks)).toContain('The CPU, throughput and p99 targets are checked on distinct requests');
  });
  it('prints each target as met or NOT MET with the measured ratio, and says what a distinct run leaves out', () => {
    const text = formatTable({ cells: grid, ratios: ratios(grid, 'atrium', ['hive-rust']), checks: checkTargets(grid) });
    expect(text).toMatch(/\(a\) single subgraph\s+gateway CPU ms\/req ≤ 0\.5× Hive \+ Rust planner\s+0\.40×\s+met/);
    expect(text).toMatch(/\(b\) nested cross-subgraph\s+req\/s ≥ 1\.0× Hive \+ Rust planner\s+0\.83×\s+NOT MET/);
    expect(text).toMatch(/atrium\/hive-rust\s+2\.00×\s+1\.00×\s+0\.90×\s+0\.40×/);
    expect(text).toContain('Throughput with byte-identical requests is checked by a run with --identical.');
  });
});

describe('light comparison in the report', () => {
  const lightCells = [ok('atrium', 'single', 2000), ok('hive-rust', 'single', 1000)];
  const light: Comparison = {
    mode: 'light',
    startedAt: '2030-01-02T10:20:00.000Z',
    finishedAt: '2030-01-02T10:25:00.000Z',
    loadAtStart: [1.25, 1, 1],
    loadAtEnd: [2, 1, 1],
    settings: { rounds: 1, duration: 3, warmup: 1, connections: 32, requests: 'distinct' },
    targets: [],
    cells: lightCells,
    ratios: ratios(lightCells, 'atrium', ['hive-rust']),
    checks: checkTargets(lightCells),
    notes: ['light subgraphs answer from memory'],
  };
  it('renders its own table, ratios, targets and notes under its own heading, beside the full one', () => {
    const section = renderMarkdownSection({ ...report, light }, '../bench/results/2030-01-02.svg', '../bench/results/2030-01-02-light.svg');
    expect(section).toContain("**Gateways on Atrium's subgraphs**");
    expect(section).toContain('**Gateways on light subgraphs** (`--light`');
    expect(section).toContain('load average 1.25 at start, 2 at end): 1 rounds × 3 s per sample');
    expect(section).toContain('![requests per second by target and query, light subgraphs](../bench/results/2030-01-02-light.svg)');
    expect(section).toContain('| (a) single subgraph | E Hive Gateway + Rust planner | 1,000 |');
    expect(section).toContain('| (a) single subgraph | req/s ≥ 1.0× Hive + Rust planner | 2.00× | met |');
    expect(section).toContain('- light subgraphs answer from memory');
    expect(section.indexOf('Gateways on light subgraphs')).toBeGreaterThan(section.indexOf('| (b) nested cross-subgraph | A Atrium | 900 |'));
  });
  it('is carried by a run that measured only Atrium\'s subgraphs, and carries them into a light-only run', () => {
    const withLight = { ...report, light };
    const fullOnly = mergeReports({ ...report, startedAt: '2030-01-03T00:00:00.000Z' }, { gateways: true, contention: true, fanout: true }, withLight);
    expect(fullOnly.light).toBe(light);
    expect(fullOnly.carried).toEqual({ light: light.startedAt });
    expect(renderMarkdownSection(fullOnly)).toContain('the gateway comparison on light subgraphs (run started 2030-01-02 10:20 UTC)');
    const lightOnly = mergeReports({ ...report, cells: [], ratios: [], contention: undefined, light: { ...light, startedAt: '2030-01-04T00:00:00.000Z' } }, { light: true }, fullOnly);
    expect(lightOnly.cells).toBe(report.cells);
    expect(lightOnly.light?.startedAt).toBe('2030-01-04T00:00:00.000Z');
    expect(lightOnly.carried).toEqual({ gateways: fullOnly.startedAt, contention: fullOnly.startedAt });
  });
  it('draws its chart with a title that says so', () => {
    expect(chartOf({ cells: lightCells, date: '2030-01-02', settings: light.settings }, 'light').title).toBe('Atrium gateway benchmark — 2030-01-02, light subgraphs');
  });
});

describe('target checks of older results', () => {
  it('are computed from the cells when the file has none, as not measured without Hive + Rust planner', () => {
    const section = renderMarkdownSection({ ...report, checks: undefined });
    expect(section).toContain('| (b) nested cross-subgraph | gateway CPU ms/req ≤ 0.5× Hive + Rust planner | – | not measured |');
  });
});

describe('dedupCaveat', () => {
  const atrium = (deduplicated: number, sent: number, query = 'single'): Cell => {
    const s: Sample = { ...sample(100), subgraphFetches: { sent, deduplicated } };
    return { target: 'atrium', query, status: 'ok', samples: [s], summary: summarize([s]) };
  };
  it('says how much of its subgraph work Atrium shared in flight, and how to measure without it', () => {
    const caveat = dedupCaveat([atrium(90, 10), atrium(95, 5, 'nested'), ok('hive-rust', 'single', 50)]);
    expect(caveat).toContain('Atrium answered 90 %–95 % of its subgraph fetches from an identical one in flight');
    expect(caveat).toContain('--atrium-dedup off');
    expect(formatTable({ cells: [atrium(90, 10)], ratios: [] })).toContain('Atrium answered 90 % of its subgraph fetches');
  });
  it('says nothing when Atrium shared none, when the figures are missing, or when every gateway could merge (identical requests)', () => {
    expect(dedupCaveat([atrium(0, 100)])).toBeUndefined();
    expect(dedupCaveat([atrium(90, 10)], 'identical')).toBeUndefined();
    expect(dedupCaveat(cells)).toBeUndefined();
  });
  it('names SUBGRAPH_DEDUP=off in the settings line of a run without it', () => {
    expect(renderMarkdownSection({ ...report, settings: { ...report.settings, atriumDedup: 'off' } })).toContain("Atrium's in-flight merging of subgraph fetches off (SUBGRAPH_DEDUP=off)");
  });
});
