import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { executePlan } from '../../gateway/src/execute/plan-executor';
import { stockExecutor, type ExecutorUnderTest } from './harness';

/** Atrium's executor (gateway/src/execute/plan-executor.ts) behind the seam. */
export const atriumExecutor: ExecutorUnderTest = (plan, supergraph, operation, variables, dataSources) =>
  executePlan(plan, {
    supergraphSchema: supergraph.supergraphSchema,
    apiSchema: supergraph.apiSchema,
    operation: operation.operation,
    variables,
    dataSources,
    requestContext: {
      request: { variables, operationName: operation.operationName },
      context: {},
      metrics: {},
    } as unknown as GatewayGraphQLRequestContext,
  });

/**
 * The executors under test, each run on every operation and compared with the oracle
 * (@apollo/gateway's stock `executeQueryPlan`, see harness.ts).
 *
 * The stock executor wrapped through the same seam stays listed: it was the placeholder until
 * Atrium's executor existed, and it keeps proving that the fixtures, plans and comparison run
 * end to end (an oracle that disagrees with itself is a broken fixture, not a finding).
 */
export const executorsUnderTest: Record<string, ExecutorUnderTest> = {
  'stock executor through the seam': stockExecutor,
  "Atrium's executor (gateway/src/execute)": atriumExecutor,
};
