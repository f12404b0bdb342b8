import { dedupShare, median, normalizeReason, percentile, pollDelay, ratio, ratios, slotFor, summarize, tallyContention, type Cell, type Sample } from './stats';

const sample = (over: Partial<Sample>): Sample => ({
  round: 1,
  rps: 100,
  p50: 10,
  p99: 20,
  responses: 500,
  non2xx: 0,
  graphqlErrors: 0,
  socketErrors: 0,
  peakRssMb: 100,
  cpuPercent: 90,
  cpuMsPerRequest: 2,
  ...over,
});

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the two middle ones of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
  it('ignores non-finite values and is NaN for nothing', () => {
    expect(median([Number.NaN, 5, Infinity, 1])).toBe(3);
    expect(median([])).toBeNaN();
  });
  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  it('uses the nearest rank', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([5, 1, 3], 50)).toBe(3);
    expect(percentile([42], 99)).toBe(42);
  });
  it('is NaN for nothing and refuses a percentile outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('ratio', () => {
  it('divides, and is null when it cannot', () => {
    expect(ratio(300, 100)).toBe(3);
    expect(ratio(100, 0)).toBeNull();
    expect(ratio(null, 5)).toBeNull();
    expect(ratio(5, undefined)).toBeNull();
    expect(ratio(Number.NaN, 5)).toBeNull();
  });
});

describe('summarize', () => {
  it('takes medians of rate and latency, sums errors, keeps the highest RSS', () => {
    const s = summarize([
      sample({ round: 1, rps: 100, p50: 10, p99: 30, non2xx: 1, peakRssMb: 120 }),
      sample({ round: 2, rps: 300, p50: 12, p99: 50, graphqlErrors: 2, peakRssMb: 150 }),
      sample({ round: 3, rps: 200, p50: 11, p99: 40, socketErrors: 3, peakRssMb: 130 }),
    ]);
    expect(s).toMatchObject({ rounds: 3, rps: 200, p50: 11, p99: 40, responses: 1500, non2xx: 1, graphqlErrors: 2, socketErrors: 3, peakRssMb: 150, cpuPercent: 90, cpuMsPerRequest: 2 });
  });
  it('leaves RSS and CPU null when no sample knew them', () => {
    expect(summarize([sample({ peakRssMb: null, cpuPercent: null, cpuMsPerRequest: null })])).toMatchObject({ peakRssMb: null, cpuPercent: null, cpuMsPerRequest: null });
  });
  it('takes the median CPU of each watched process over the rounds that saw it', () => {
    const s = summarize([
      sample({ processCpu: { booking: 80, catalog: 10 } }),
      sample({ processCpu: { booking: 60, catalog: 30 } }),
      sample({ processCpu: { booking: 70 } }),
    ]);
    expect(s.processCpu).toEqual({ booking: 70, catalog: 20 });
  });
});

describe('ratios', () => {
  const cell = (target: string, query: string, rps: number, p50: number, status: Cell['status'] = 'ok'): Cell => ({
    target,
    query,
    status,
    samples: [],
    summary: status === 'ok' ? summarize([sample({ rps, p50 })]) : undefined,
  });
  it('compares the reference target with each other one, per query', () => {
    const rows = ratios([cell('atrium', 'nested', 400, 10), cell('stock', 'nested', 200, 20), cell('hive', 'nested', 500, 8)], 'atrium', ['stock', 'hive']);
    expect(rows).toMatchObject([
      { query: 'nested', name: 'atrium/stock', rps: 2, p50: 0.5 },
      { query: 'nested', name: 'atrium/hive', rps: 0.8, p50: 1.25 },
    ]);
  });
  it('compares p99 latency and CPU per request too', () => {
    const withCost = (target: string, p99: number, cpuMsPerRequest: number): Cell => ({ target, query: 'auth', status: 'ok', samples: [], summary: summarize([sample({ p99, cpuMsPerRequest })]) });
    const [row] = ratios([withCost('atrium', 50, 0.6), withCost('hive-rust', 100, 2.4)], 'atrium', ['hive-rust']);
    expect(row).toMatchObject({ name: 'atrium/hive-rust', p99: 0.5, cpu: 0.25 });
  });
  it('gives null for a target that was not measured', () => {
    const rows = ratios([cell('atrium', 'single', 400, 10), cell('hive', 'single', 0, 0, 'error')], 'atrium', ['hive', 'direct']);
    expect(rows.map((r) => r.rps)).toEqual([null, null]);
  });
});

describe('subgraph fetches shared by Atrium', () => {
  it('sums sent and deduplicated fetches over rounds, and gives the shared part', () => {
    const summary = summarize([sample({ subgraphFetches: { sent: 300, deduplicated: 100 } }), sample({ subgraphFetches: { sent: 500, deduplicated: 100 } })]);
    expect(summary.subgraphFetches).toEqual({ sent: 800, deduplicated: 200 });
    expect(dedupShare(summary.subgraphFetches)).toBe(0.2);
  });
  it('says nothing for targets without the figures, or without fetches', () => {
    expect(summarize([sample({})]).subgraphFetches).toBeUndefined();
    expect(dedupShare(undefined)).toBeNull();
    expect(dedupShare({ sent: 0, deduplicated: 0 })).toBeNull();
  });
});

describe('tallyContention', () => {
  it('is correct with one winner, conflicts for all others and no 5xx', () => {
    const t = tallyContention([{ status: 200, booked: true }, ...Array.from({ length: 9 }, () => ({ status: 200, code: 'BOOKING_CONFLICT', booked: false }))]);
    expect(t).toEqual({ requests: 10, winners: 1, conflicts: 9, otherErrors: {}, http5xx: 0, failedRequests: 0, correct: true });
  });
  it('is wrong with two winners, a 5xx, another error or a request without answer', () => {
    const conflict = { status: 200, code: 'BOOKING_CONFLICT', booked: false };
    expect(tallyContention([{ status: 200, booked: true }, { status: 200, booked: true }, conflict]).correct).toBe(false);
    const with5xx = tallyContention([{ status: 200, booked: true }, { status: 503, code: 'SUBGRAPH_UNAVAILABLE', booked: false }]);
    expect(with5xx).toMatchObject({ http5xx: 1, otherErrors: { SUBGRAPH_UNAVAILABLE: 1 }, correct: false });
    expect(tallyContention([{ status: 200, booked: true }, { status: 429, booked: false }]).otherErrors).toEqual({ HTTP_429: 1 });
    expect(tallyContention([{ status: 200, booked: true }, { status: 0, booked: false }])).toMatchObject({ failedRequests: 1, correct: false });
  });
  it('is wrong with no winner at all', () => {
    expect(tallyContention([{ status: 200, code: 'BOOKING_CONFLICT', booked: false }]).correct).toBe(false);
  });
});

describe('slotFor', () => {
  const base = Date.UTC(2030, 0, 1, 6);
  it('never gives two overlapping slots on one workspace', () => {
    const slots = Array.from({ length: 500 }, (_, k) => slotFor(k, 7, base));
    const byWorkspace = new Map<number, { start: number; end: number }[]>();
    for (const s of slots) {
      const list = byWorkspace.get(s.workspace) ?? [];
      list.push({ start: Date.parse(s.startsAt), end: Date.parse(s.endsAt) });
      byWorkspace.set(s.workspace, list);
    }
    for (const list of byWorkspace.values()) {
      list.sort((a, b) => a.start - b.start);
      for (let i = 1; i < list.length; i++) expect(list[i].start).toBeGreaterThanOrEqual(list[i - 1].end);
    }
  });
  it('spreads over workspaces first, then hours within a day, then days', () => {
    expect(slotFor(0, 2, base)).toEqual({ workspace: 0, startsAt: '2030-01-01T06:00:00.000Z', endsAt: '2030-01-01T07:00:00.000Z' });
    expect(slotFor(1, 2, base).workspace).toBe(1);
    expect(slotFor(2, 2, base).startsAt).toBe('2030-01-01T07:00:00.000Z');
    expect(slotFor(24, 2, base).startsAt).toBe('2030-01-02T06:00:00.000Z'); // 12 hours a day
  });
  it('needs a workspace', () => {
    expect(() => slotFor(0, 0, base)).toThrow(RangeError);
  });
});

describe('normalizeReason', () => {
  it('groups messages that differ only by ids', () => {
    const a = normalizeReason('payForBooking: NOT_FOUND: Booking bd36b0c1-28e5-4c76-8860-811eaab7a0e9 not found');
    const b = normalizeReason('payForBooking: NOT_FOUND: Booking 5D45919B-02E9-47CB-91F2-7AF99D24914F not found');
    expect(a).toBe('payForBooking: NOT_FOUND: Booking <id> not found');
    expect(b).toBe(a);
    expect(normalizeReason('x'.repeat(500))).toHaveLength(200);
  });
});

describe('pollDelay', () => {
  it('backs off from 25 ms to 200 ms', () => {
    expect([0, 1, 2, 3, 4, 10].map(pollDelay)).toEqual([25, 50, 100, 200, 200, 200]);
  });
});
