import { checkDeferredParts, summarizeDeferLevel } from './defer-stats';

const booking = (i: number) => ({ node: { status: i % 2 ? 'CONFIRMED' : 'PENDING' } });
const fragment = (i: number) => ({
  data: { workspace: { name: `W${i}`, location: { city: 'Lyon' } }, user: { name: 'Member' }, payment: { status: 'SUCCEEDED' } },
  path: ['me', 'bookings', 'edges', i, 'node'],
});
const initial = (n: number) => ({ data: { me: { bookings: { edges: Array.from({ length: n }, (_, i) => booking(i)) } } }, hasNext: true });

describe('checkDeferredParts', () => {
  it('accepts an initial payload with every booking and later parts with one complete fragment each, the last saying hasNext false', () => {
    expect(checkDeferredParts([initial(3), { incremental: [fragment(0), fragment(1)], hasNext: true }, { incremental: [fragment(2)], hasNext: false }], 3)).toBeNull();
    expect(checkDeferredParts([initial(2), { incremental: [fragment(0), fragment(1)], hasNext: false }], 2)).toBeNull();
  });
  it('names what is wrong: a missing part, the deferred fields too early, errors, missing fragments', () => {
    expect(checkDeferredParts([], 2)).toBe('no part');
    expect(checkDeferredParts([{ ...initial(2), hasNext: false }], 2)).toMatch(/hasNext false, expected true/);
    expect(checkDeferredParts([initial(2)], 2)).toBe('no deferred part');
    expect(checkDeferredParts([initial(1), { incremental: [fragment(0)], hasNext: false }], 2)).toMatch(/1 bookings, expected 2/);
    const early = { data: { me: { bookings: { edges: [{ node: { status: 'PENDING', workspace: { name: 'W' } } }] } } }, hasNext: true };
    expect(checkDeferredParts([early, { incremental: [fragment(0)], hasNext: false }], 1)).toMatch(/already has the deferred fields/);
    expect(checkDeferredParts([initial(1), { incremental: [{ ...fragment(0), errors: [{ message: 'down' }] }], hasNext: false }], 1)).toMatch(/fragment has errors.*down/);
    expect(checkDeferredParts([initial(1), { incremental: [{ data: { workspace: { name: 'W' } } }], hasNext: false }], 1)).toMatch(/incomplete deferred fragment/);
    expect(checkDeferredParts([initial(2), { incremental: [fragment(0)], hasNext: false }], 2)).toBe('1 deferred fragments, expected 2');
    expect(checkDeferredParts([initial(1), { incremental: [fragment(0)], hasNext: true }], 1)).toMatch(/last part does not say hasNext: false/);
    expect(checkDeferredParts([initial(1), { incremental: [], hasNext: false }, { incremental: [fragment(0)], hasNext: false }], 1)).toMatch(/before the last says hasNext: false/);
  });
});

describe('summarizeDeferLevel', () => {
  it('takes p50 and p99 of each time, the time-to-first-payload ratio, CPU per request and the median part count', () => {
    const plainTotals = Array.from({ length: 100 }, (_, i) => 100 + i); // 100..199 ms
    const deferred = Array.from({ length: 100 }, (_, i) => ({ firstMs: 40 + i / 10, lastMs: 150 + i, parts: i < 60 ? 2 : 3 }));
    const level = summarizeDeferLevel({ concurrency: 8, plainTotals, deferred, plainErrors: 0, deferredErrors: 1, cpuMs: { plain: 250, deferred: null }, failures: { 'with @defer: boom': 1 } });
    expect(level).toEqual({
      concurrency: 8,
      requests: 100,
      plain: { totalMs: { p50: 149, p99: 198 }, errors: 0, cpuMsPerRequest: 2.5 },
      deferred: { firstMs: { p50: 44.9, p99: 49.8 }, lastMs: { p50: 199, p99: 248 }, errors: 1, cpuMsPerRequest: null, partsMedian: 2 },
      ratio: { p50: 0.3, p99: 0.25 },
      failures: { 'with @defer: boom': 1 },
    });
  });
  it('has no ratio when a variant has no measurement', () => {
    const level = summarizeDeferLevel({ concurrency: 1, plainTotals: [], deferred: [{ firstMs: 1, lastMs: 2, parts: 2 }], plainErrors: 5, deferredErrors: 0, cpuMs: { plain: 10, deferred: 10 } });
    expect(level.ratio).toEqual({ p50: null, p99: null });
    expect(level.plain.cpuMsPerRequest).toBeNull();
    expect(level.requests).toBe(0);
  });
});
