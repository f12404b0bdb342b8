import { comparable, composeFixture, run, stockExecutor, type ConformanceSupergraph } from './harness';
import { executorsUnderTest } from './executors';
import { supergraphs } from './supergraphs';

/**
 * Differential conformance: every operation of every supergraph runs through the oracle
 * (@apollo/gateway's stock executor) and through each executor under test; data and errors
 * (message, path, extensions.code) must be equal, data in the same key order.
 */
describe.each(supergraphs.map((f) => [f.name, f] as const))('supergraph %s', (_name, fixture) => {
  let supergraph: ConformanceSupergraph;
  beforeAll(() => {
    supergraph = composeFixture(fixture);
  });

  describe.each(fixture.operations.map((op) => [op.name, op] as const))('%s', (_opName, op) => {
    test.each(Object.entries(executorsUnderTest))('%s agrees with the oracle', async (_executorName, executor) => {
      const oracle = await run(stockExecutor, fixture, supergraph, op);
      // CONFORMANCE_DUMP=1 prints the oracle's answers (to read what the fixtures produce).
      if (process.env.CONFORMANCE_DUMP) process.stdout.write(`${fixture.name} / ${op.name}: ${JSON.stringify(oracle)}\n`);
      // The fixture itself: errors only where the operation is meant to produce them.
      expect(oracle.length).toBeGreaterThan(0);
      expect(oracle.some((r) => r.errors.length > 0)).toBe(op.errors ?? false);
      expect(oracle.every((r) => r.data !== undefined)).toBe(true);

      const actual = await run(executor, fixture, supergraph, op);
      expect(comparable(actual)).toEqual(comparable(oracle));
      // Response key order is part of the result (a field's position follows the selection).
      expect(JSON.stringify(actual.map((r) => r.data))).toBe(JSON.stringify(oracle.map((r) => r.data)));
    });
  });
});
