import { stockExecutor, type ExecutorUnderTest } from './harness';

/**
 * The executors under test, each run on every operation and compared with the oracle
 * (@apollo/gateway's stock `executeQueryPlan`, see harness.ts).
 *
 * Until Atrium's own executor (gateway/src/execute/) exists, the executor under test is the
 * stock executor wrapped through the same seam: the tier then proves its fixtures, plans and
 * comparison run end to end, not that two different executors agree. Plug Atrium's executor
 * in here with the ExecutorUnderTest shape.
 */
export const executorsUnderTest: Record<string, ExecutorUnderTest> = {
  'stock executor (placeholder until gateway/src/execute/ has its own)': stockExecutor,
};
