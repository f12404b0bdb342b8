import { chartOf, formatTable, renderMarkdownSection, replaceSection, SECTION_END, SECTION_START, type RunReport } from './report';
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
    throughput: [{ concurrency: 4, seconds: 5, confirmed: 40, failures: {}, bookingsPerSecond: 8, p50: 400, p99: 900 }],
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
    expect(section).toContain('| 4 | 40 | 8.0 | 400 | 900 | 0 |');
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
