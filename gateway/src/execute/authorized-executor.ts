import type { ApolloGateway } from '@apollo/gateway';
import type { GatewayExecutor } from '@apollo/server-gateway-interface';
import { inSpan, tracingOn, type Caller } from '@atrium/kit';
import { GraphQLError } from 'graphql';
import type { Authorizer } from '../authorize';
import type { GatewayContext } from '../context';
import { asGraphQLError } from '../errors';
import { atriumExecutor } from './atrium-executor';

/** What executes query plans (`EXECUTOR`): Atrium's executor, or @apollo/gateway's own. */
export type ExecutorKind = 'atrium' | 'apollo';

/**
 * The executor operations run through, before authorization is put around it: `apollo` is
 * the loaded gateway's own (`stock`); `atrium` plans the same way, with the same plan cache,
 * and executes plans with execute/plan-executor.ts.
 */
export function planExecutor(kind: ExecutorKind, gateway: ApolloGateway, stock: GatewayExecutor): GatewayExecutor {
  return kind === 'atrium' ? atriumExecutor(gateway) : stock;
}

/** Why no operation could be picked, in graphql-js's words. */
const unresolvedOperation = (operationName: string | null | undefined) =>
  new GraphQLError(
    operationName != null ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.',
  );

/**
 * What runs an operation's plan: the gateway's executor (`planExecutor`: plans, caches plans
 * and executes them), with field-level authorization around it. Before planning, the fields
 * the caller may not see are removed from the operation (so no subgraph is asked for them),
 * and the filtered operation gets its own plan-cache key; after execution they come back as
 * `null` with UNAUTHENTICATED / FORBIDDEN errors at their paths. `authorizer` is the loaded
 * supergraph's.
 */
export function authorizedExecutor(execute: GatewayExecutor, authorizer: () => Authorizer<Caller>): GatewayExecutor {
  return async (requestContext) => {
    // Several operations and no operationName, or an unknown one: Apollo Server resolved
    // none and leaves it to execution, where @apollo/gateway throws (a 500 with a stack in
    // the log). Answered with errors, Apollo Server makes it a 400 OPERATION_RESOLUTION_FAILURE.
    if (!requestContext.operation) return { errors: [unresolvedOperation(requestContext.request.operationName)] };
    const { caller } = requestContext.context as unknown as GatewayContext;
    const authorize = () =>
      authorizer().authorize({
        document: requestContext.document,
        operationName: requestContext.request.operationName,
        variables: requestContext.request.variables,
        caller,
      });
    // Tracing: in a `gateway.authorize` span when the gateway traces (ops/tracing.ts); untouched otherwise.
    const decision = tracingOn()
      ? await inSpan('gateway.authorize', {}, async (span) => {
          const decided = authorize();
          span.setAttribute('atrium.authorize.filtered', decided.document !== requestContext.document);
          return decided;
        })
      : authorize();
    if (decision.document === requestContext.document && !decision.skipExecution) return execute(requestContext);
    const result = decision.skipExecution
      ? {}
      : await execute({ ...requestContext, document: decision.document, queryHash: `${requestContext.queryHash}:${decision.signature}` });
    const completed = decision.complete(result as Parameters<typeof decision.complete>[0]);
    return {
      ...result,
      data: completed.data,
      errors: completed.errors?.map(asGraphQLError),
    };
  };
}
