import { createHash } from 'node:crypto';
import { buildOperationContext, type ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { operationFromDocument, type Operation } from '@apollo/federation-internals';
import type { GatewayExecutionResult, GatewayExecutor } from '@apollo/server-gateway-interface';
import { inSpan } from '@atrium/kit';
import { getVariableValues } from 'graphql';
import { apolloGatewayInternals, buildPlan } from './apollo-internals';
import { executePlanIncrementally } from './incremental';
import { acceptsDefer, deferRest } from './incremental-delivery';
import { executePlan, type PlanExecutionContext } from './plan-executor';

/**
 * The gateway's executor with Atrium's plan executor (`EXECUTOR=atrium`): what
 * @apollo/gateway's own `executor` does — variables validated against the API schema, the
 * plan from its plan cache (the same key, so a plan is built once either way) or its
 * planner — and then `executePlan` instead of `executeQueryPlan`. What it leaves out of
 * @apollo/gateway's: OpenTelemetry spans, `experimental_didResolveQueryPlan`, and the query
 * plan shown on the `Apollo-Query-Plan-Experimental` header (none is used by Atrium). Its own
 * spans, when the gateway traces (ops/tracing.ts): `gateway.plan` (whether the plan came from
 * the cache) and `gateway.execute`, the parent of the subgraph fetches.
 */
export function atriumExecutor(gateway: ApolloGateway): GatewayExecutor {
  return async (requestContext) => {
    const internals = apolloGatewayInternals(gateway);
    const { request, document, queryHash } = requestContext;
    const operationName = request.operationName ?? undefined;
    const planKey = operationName ? createHash('sha256').update(queryHash).update(operationName).digest('hex') : queryHash;

    const operationContext = buildOperationContext({ schema: internals.schema, operationDocument: document, operationName });
    const variableDefinitions = operationContext.operation.variableDefinitions;
    if (variableDefinitions) {
      const { errors } = getVariableValues(internals.schema, variableDefinitions, request.variables ?? {});
      if (errors) return { errors };
    }

    let operation: Operation | undefined;
    const plan = await inSpan('gateway.plan', {}, async (span) => {
      let cached = await internals.queryPlanStore.get(planKey);
      span.setAttribute('atrium.plan.cached', !!cached);
      if (!cached) {
        operation = operationFromDocument(internals.apiSchema, document, { operationName });
        cached = buildPlan(internals, operation);
        try {
          await internals.queryPlanStore.set(planKey, cached);
        } catch (error) {
          internals.logger.warn(`Could not store queryPlan${(error as Error)?.message ?? error}`);
        }
      }
      return cached;
    });

    const dataSources: Record<string, GraphQLDataSource> = Object.create(null);
    for (const [name, { dataSource }] of Object.entries(internals.serviceMap)) dataSources[name] = dataSource;
    const context: PlanExecutionContext = {
      supergraphSchema: internals.supergraphSchema,
      apiSchema: internals.apiSchema,
      operation: operation ?? { document, operationName },
      variables: request.variables,
      dataSources,
      requestContext,
    };
    // @defer in parts when the client asks for them (incremental-delivery.ts); otherwise executePlan runs Defer nodes to the end.
    if (acceptsDefer(request.http?.headers.get('accept'))) {
      const { initial, subsequent } = await inSpan('gateway.execute', {}, () => executePlanIncrementally(plan, context));
      const { hasNext, ...first } = initial;
      if (hasNext) deferRest(requestContext.context, subsequent);
      return first as GatewayExecutionResult;
    }
    const result = await inSpan('gateway.execute', {}, () => executePlan(plan, context));
    return result as GatewayExecutionResult;
  };
}
