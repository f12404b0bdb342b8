import type { GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { parse, subscribe, type ExecutionResult } from 'graphql';
import { executeSubscriptionEvent } from '../../gateway/src/execute/plan-executor';
import { comparable, composeFixture, inMemoryDataSources, planOperation, record, run, stockExecutor, type Recorded } from './harness';
import { supergraphs } from './supergraphs';

/**
 * Subscriptions through Atrium's own `Subscription` node execution: each event of the owning
 * subgraph's stream goes to `executeSubscriptionEvent` with the plan as planned (primary +
 * rest), and must give what the oracle gives for that event (harness.ts `run`: the stock
 * executor on the plan Sequence(primary as a query, rest), the primary answered by the event).
 */
const cases = supergraphs.flatMap((fixture) =>
  fixture.operations.filter((op) => /^\s*subscription\b/.test(op.query)).map((op) => [`${fixture.name} / ${op.name}`, fixture, op] as const),
);

describe('executeSubscriptionEvent', () => {
  it('has subscription operations to run', () => {
    expect(cases.length).toBeGreaterThan(2);
  });

  test.each(cases)('%s: every event agrees with the oracle', async (_name, fixture, op) => {
    const supergraph = composeFixture(fixture);
    const oracle = await run(stockExecutor, fixture, supergraph, op);

    fixture.reset?.();
    const { plan, operation } = planOperation(supergraph, op);
    if (plan.node?.kind !== 'Subscription') throw new Error(`${op.name} is not planned as a subscription`);
    const { primary } = plan.node;
    const variables = op.variables ?? {};
    const dataSources = inMemoryDataSources(fixture, supergraph);
    const stream = await subscribe({
      schema: supergraph.subgraphSchemas[primary.serviceName],
      document: parse(primary.operation),
      variableValues: Object.fromEntries((primary.variableUsages ?? []).filter((v) => v in variables).map((v) => [v, variables[v]])),
      contextValue: {},
    });
    if (!(Symbol.asyncIterator in stream)) throw new Error(`${op.name} did not subscribe`);
    const actual: Recorded[] = [];
    for await (const event of stream) {
      // As the event reaches the gateway over a WebSocket: plain JSON.
      const received = JSON.parse(JSON.stringify(event)) as GatewayGraphQLResponse as ExecutionResult<Record<string, unknown>>;
      const result = await executeSubscriptionEvent(plan, received, {
        supergraphSchema: supergraph.supergraphSchema,
        apiSchema: supergraph.apiSchema,
        operation: operation.operation,
        variables,
        dataSources,
        requestContext: { request: { variables, operationName: op.operationName }, context: {}, metrics: {} } as unknown as GatewayGraphQLRequestContext,
      });
      actual.push(record(result));
    }

    expect(actual.length).toBe(oracle.length);
    expect(comparable(actual)).toEqual(comparable(oracle));
    expect(JSON.stringify(actual.map((r) => r.data))).toBe(JSON.stringify(oracle.map((r) => r.data)));
  });
});
