import { PLATFORM_BASELINE, SUBGRAPH_BASELINE } from './baseline';
import { checkSubgraphTargets, describeSubgraphCheck, floorRatios, formatSubgraphChecks, formatTable, mergeReports, renderMarkdownSection, type RunReport } from './report';
import { summarize, type Cell, type Sample } from './stats';

const measured = (target: string, query: string, rps: number, cpuMsPerRequest: number): Cell => {
  const s: Sample = { round: 1, rps, p50: 5, p99: 9, responses: rps * 5, non2xx: 0, graphqlErrors: 0, socketErrors: 0, peakRssMb: 80, cpuPercent: 50, cpuMsPerRequest };
  return { target, query, status: 'ok', samples: [s], summary: summarize([s]) };
};
const noFloor: Cell = { target: 'floor', query: 'nested', status: 'skipped', reason: "no floor for booking's part of this query: not measured", samples: [] };

describe('the baselines of issue 14', () => {
  it('keep the figures measured before the issue, with where and when', () => {
    expect(SUBGRAPH_BASELINE.queries.single).toMatchObject({ subgraph: 'catalog', cpuMsPerRequest: 1.77 });
    expect(SUBGRAPH_BASELINE.queries.auth).toMatchObject({ subgraph: 'identity', cpuMsPerRequest: 2.7 });
    expect(SUBGRAPH_BASELINE.measuredAt).toBe('2026-12-04 16:22 UTC');
    expect(PLATFORM_BASELINE.rps).toEqual({ single: 690, nested: 350, auth: 933 });
  });
});

describe('floorRatios', () => {
  it("divides Atrium's subgraph (direct) by the floor, only for queries the floor was tried on", () => {
    const rows = floorRatios([measured('direct', 'single', 500, 2), measured('floor', 'single', 2000, 0.25), measured('direct', 'nested', 300, 3), noFloor]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ query: 'single', name: 'direct/floor', rps: 0.25, cpu: 8 });
  });
});

describe('checkSubgraphTargets (issue 14)', () => {
  const grid = [
    measured('atrium', 'single', 1380, 0.5),
    measured('direct', 'single', 600, 0.8),
    measured('floor', 'single', 2000, 0.5),
    measured('atrium', 'nested', 300, 1),
    measured('direct', 'nested', 250, 2.4),
    noFloor,
    measured('direct', 'auth', 400, 2),
    measured('floor', 'auth', 1000, 0.4),
  ];
  const checks = checkSubgraphTargets(grid);

  it('checks catalog on (a) and identity on (c) against before (≤ 0.5×) and the floor (≤ 2×), the platform as information', () => {
    expect(checks.map((c) => [c.query, c.subject, c.metric, c.against, c.met])).toEqual([
      ['single', 'catalog', 'cpu', 'before', true],
      ['single', 'catalog', 'cpu', 'floor', true],
      ['auth', 'identity', 'cpu', 'before', false],
      ['auth', 'identity', 'cpu', 'floor', false],
      ['single', 'gateway', 'rps', 'before', null],
      ['nested', 'gateway', 'rps', 'before', null],
      ['auth', 'gateway', 'rps', 'before', null],
    ]);
    expect(checks[0].ratio).toBeCloseTo(0.8 / 1.77);
    expect(checks[1].ratio).toBeCloseTo(1.6);
    expect(checks[3].ratio).toBeCloseTo(5);
    expect(checks[4].ratio).toBeCloseTo(2);
  });

  it('counts a ratio exactly at the limit as met, and a missing figure as not measured', () => {
    const [, atLimit] = checkSubgraphTargets([measured('direct', 'single', 1, 1), measured('floor', 'single', 1, 0.5)]);
    expect(atLimit).toMatchObject({ ratio: 2, met: true });
    const missing = checkSubgraphTargets([measured('floor', 'auth', 1000, 0.4)]);
    expect(missing.every((c) => c.ratio === null && c.met === null)).toBe(true);
  });

  it('names each target with its limit and reference', () => {
    expect(describeSubgraphCheck(checks[0])).toBe('catalog CPU ms/req ≤ 0.5× before (1.77)');
    expect(describeSubgraphCheck(checks[3])).toBe('identity CPU ms/req ≤ 2.0× the floor');
    expect(describeSubgraphCheck(checks[6])).toBe("whole platform through Atrium's gateway: req/s vs before (933)");
  });

  it('prints met, NOT MET, informational and not measured with the measured figure', () => {
    const text = formatSubgraphChecks([...checks, ...checkSubgraphTargets([measured('direct', 'auth', 1, 1)]).slice(1, 2)]);
    expect(text).toContain('Targets of issue 14');
    expect(text).toMatch(/\(a\) single subgraph\s+catalog CPU ms\/req ≤ 0\.5× before \(1\.77\)\s+0\.45× \(0\.80 ms\)\s+met/);
    expect(text).toMatch(/\(c\) field-level auth\s+identity CPU ms\/req ≤ 2\.0× the floor\s+5\.00× \(2\.00 ms\)\s+NOT MET/);
    expect(text).toMatch(/\(a\) single subgraph\s+whole platform through Atrium's gateway: req\/s vs before \(690\)\s+2\.00× \(1,380 req\/s\)\s+informational/);
    expect(text).toMatch(/\(c\) field-level auth\s+whole platform through Atrium's gateway: req\/s vs before \(933\)\s+–\s+not measured/);
    expect(text).toMatch(/identity CPU ms\/req ≤ 2\.0× the floor\s+–\s+not measured/);
  });

  const report: RunReport = {
    date: '2030-01-02',
    startedAt: '2030-01-02T10:00:00.000Z',
    finishedAt: '2030-01-02T10:05:00.000Z',
    machine: { cpus: 2, cpuModel: 'Test CPU', memoryGb: 8, node: '20.0.0', os: 'Linux' },
    settings: { rounds: 3, duration: 5, warmup: 2, connections: 32 },
    versions: {},
    targets: [],
    cells: grid,
    ratios: floorRatios(grid),
    subgraphChecks: checks,
    notes: [],
  };

  it("shows the floor's rows, the direct/floor ratios and the targets in the printed table", () => {
    const text = formatTable(report);
    expect(text).toMatch(/\(a\) single subgraph\s+F floor \(pg \+ graphql-js\)\s+2,000/);
    expect(text).toMatch(/\(b\) nested cross-subgraph\s+F floor \(pg \+ graphql-js\)\s+SKIPPED: no floor for booking's part of this query: not measured/);
    expect(text).toMatch(/\(c\) field-level auth\s+direct\/floor\s+0\.40×\s+1\.00×\s+1\.00×\s+5\.00×/);
    expect(text).toMatch(/identity CPU ms\/req ≤ 0\.5× before \(2\.70\)\s+0\.74× \(2\.00 ms\)\s+NOT MET/);
  });

  it('renders them in the generated section, and carries them with the comparison they were checked on', () => {
    const section = renderMarkdownSection(report);
    expect(section).toContain('| (a) single subgraph | F floor (pg + graphql-js) | 2,000 |');
    expect(section).toContain('| (a) single subgraph | direct/floor | 0.30× | 1.00× | 1.00× | 1.60× |');
    expect(section).toContain('Targets of issue 14');
    expect(section).toContain('| (a) single subgraph | catalog CPU ms/req ≤ 2.0× the floor | 1.60× (0.80 ms) | met |');
    expect(section).toContain("| (b) nested cross-subgraph | whole platform through Atrium's gateway: req/s vs before (350) | 0.86× (300 req/s) | informational |");
    const fanoutOnly: RunReport = { ...report, cells: [], ratios: [], subgraphChecks: undefined, startedAt: '2030-01-02T11:00:00.000Z' };
    expect(mergeReports(fanoutOnly, { fanout: true }, report).subgraphChecks).toEqual(checks);
  });
});
