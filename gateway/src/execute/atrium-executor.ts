import { createHash } from 'node:crypto';
import { buildOperationContext, type ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { operationFromDocument, type Operation } from '@apollo/federation-internals';
import type { GatewayExecutionResult, GatewayExecutor } from '@apollo/server-gateway-interface';
import { getVariableValues } from 'graphql';
import { apolloGatewayInternals, buildPlan } from './apollo-internals';
import { executePlan } from './plan-executor';

/**
 * The gateway's executor with Atrium's plan executor (`EXECUTOR=atrium`): what
 * @apollo/gateway's own `executor` does — variables validated against the API schema, the
 * plan from its plan cache (the same key, so a plan is built once either way) or its
 * planner — and then `executePlan` instead of `executeQueryPlan`. What it leaves out of
 * @apollo/gateway's: OpenTelemetry spans, `experimental_didResolveQueryPlan`, and the query
 * plan shown on the `Apollo-Query-Plan-Experimental` header (none is used by Atrium).
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
    let plan = await internals.queryPlanStore.get(planKey);
    if (!plan) {
      operation = operationFromDocument(internals.apiSchema, document, { operationName });
      plan = buildPlan(internals, operation);
      try {
        await internals.queryPlanStore.set(planKey, plan);
      } catch (error) {
        internals.logger.warn(`Could not store queryPlan${(error as Error)?.message ?? error}`);
      }
    }

    const dataSources: Record<string, GraphQLDataSource> = Object.create(null);
    for (const [name, { dataSource }] of Object.entries(internals.serviceMap)) dataSources[name] = dataSource;
    const result = await executePlan(plan, {
      supergraphSchema: internals.supergraphSchema,
      apiSchema: internals.apiSchema,
      operation: operation ?? { document, operationName },
      variables: request.variables,
      dataSources,
      requestContext,
    });
    return result as GatewayExecutionResult;
  };
}
