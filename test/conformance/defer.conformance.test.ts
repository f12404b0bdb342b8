import { comparable, composeFixture, run, stockExecutor, type ConformanceSupergraph } from './harness';
import { deferFixtures, deliver, merged, withoutDefer } from './defer';

/**
 * `@defer` delivered incrementally by Atrium's executor (see defer.ts): merged, the payloads
 * give the oracle's answer for the operation without `@defer`; the payloads themselves follow
 * the incremental delivery format of deferSpec=20220824.
 */
describe.each(deferFixtures.map((f) => [f.supergraph.name, f] as const))('@defer on supergraph %s', (_name, { supergraph: fixture, operations }) => {
  let supergraph: ConformanceSupergraph;
  beforeAll(() => {
    supergraph = composeFixture(fixture);
  });

  test.each(operations.map((op) => [op.name, op] as const))('%s', async (_opName, op) => {
    const [oracle] = await run(stockExecutor, fixture, supergraph, { ...op, query: withoutDefer(op.query) });
    expect(oracle.errors.length > 0).toBe(op.errors ?? false);

    const delivery = await deliver(fixture, supergraph, op);
    expect(comparable([merged(delivery)])).toEqual(comparable([oracle]));

    // The format: hasNext true on every payload but the last; each item has its data and a path.
    const hasNext = [delivery.initial.hasNext, ...delivery.subsequent.map((payload) => payload.hasNext)];
    expect(hasNext).toEqual([...hasNext.slice(0, -1).map(() => true), false]);
    for (const payload of delivery.subsequent) {
      for (const item of payload.incremental ?? []) {
        expect(item).toHaveProperty('data');
        expect(Array.isArray(item.path)).toBe(true);
      }
    }
    op.delivered(delivery);
  });
});
