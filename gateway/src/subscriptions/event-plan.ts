import type { ApolloGateway, GraphQLDataSource } from '@apollo/gateway';
import { operationFromDocument, type Operation, type Schema } from '@apollo/federation-internals';
import type { FetchNode, PlanNode, QueryPlan } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../context';
import { apolloGatewayInternals, buildPlan, dataSourcesOf, type ApolloGatewayInternals } from '../execute/apollo-internals';
import { executeSubscriptionEvent } from '../execute/plan-executor';

/** A planned subscription: the fetch that opens it upstream, and how each event is completed. */
export interface SubscriptionPlan {
  /** Identifies the (authorized) operation: equal keys, equal plans. */
  key: string;
  /** Subgraph owning the subscription field, and its routing URL. */
  serviceName: string;
  url: string;
  /** The subscription operation sent to that subgraph, with the variables it uses. */
  primary: FetchNode;
  /** Fetches from other subgraphs that complete each event (absent when the owner serves every field). */
  rest?: PlanNode;
  operationName?: string;
  /**
   * What executes each event, fixed with the plan (the supergraph it was planned on): the
   * plan (its `Subscription` node), the client's operation, the schemas and the data sources.
   */
  execution: {
    queryPlan: QueryPlan;
    operation: Operation;
    supergraphSchema: GraphQLSchema;
    apiSchema: Schema;
    dataSources: Record<string, GraphQLDataSource>;
  };
}

/**
 * Plans subscription operations with the gateway's own query planner, which already knows
 * how: a `Subscription` node is a primary fetch to the subgraph owning the field plus a
 * `rest` plan completing each event with fields of other subgraphs. @apollo/gateway's
 * executor refuses that node; Atrium's executes it one event at a time
 * (`executeSubscriptionEvent`, execute/plan-executor.ts), through {@link completeEvent}.
 */
export class SubscriptionPlanner {
  private readonly cache = new Map<string, SubscriptionPlan>();

  constructor(private readonly gateway: ApolloGateway) {}

  /** Forgets cached plans (the supergraph changed). */
  reset(): void {
    this.cache.clear();
  }

  plan(document: DocumentNode, operationName: string | undefined, cacheKey: string): SubscriptionPlan {
    const key = `${cacheKey}:${operationName ?? ''}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const g = this.internals();
    const operation = operationFromDocument(g.apiSchema, document, { operationName });
    const queryPlan = buildPlan(g, operation);
    if (queryPlan.node?.kind !== 'Subscription') throw new Error('not a subscription operation');
    const { primary, rest } = queryPlan.node;
    // The data source's URL: the routing URL after SUBGRAPH_<NAME>_URL overrides.
    const service = g.serviceMap[primary.serviceName];
    const url = (service?.dataSource as { url?: string } | undefined)?.url ?? service?.url;
    if (!url) throw new Error(`subgraph "${primary.serviceName}" has no routing URL`);
    const execution = {
      queryPlan,
      operation,
      supergraphSchema: g.supergraphSchema,
      apiSchema: g.apiSchema,
      dataSources: dataSourcesOf(g),
    };
    const planned: SubscriptionPlan = { key, serviceName: primary.serviceName, url, primary, rest, operationName, execution };
    if (this.cache.size >= 1000) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, planned);
    return planned;
  }

  /**
   * Completes one event of a subscription: the event stands in for the primary fetch's
   * response, then the `rest` of the plan runs as any query plan does (entity fetches from
   * other subgraphs, batched per event), and the response is shaped to the client's
   * selection. `context` is forwarded to those fetches (the caller's token, request id).
   */
  async completeEvent(
    plan: SubscriptionPlan,
    event: ExecutionResult<Record<string, unknown>>,
    variables: Record<string, unknown>,
    context: GatewayContext,
  ): Promise<ExecutionResult> {
    const { queryPlan, operation, supergraphSchema, apiSchema, dataSources } = plan.execution;
    const requestContext = {
      request: { variables, operationName: plan.operationName },
      context,
      metrics: {},
      logger: undefined,
    } as unknown as GatewayGraphQLRequestContext;
    return executeSubscriptionEvent(queryPlan, event, { supergraphSchema, apiSchema, operation, variables, dataSources, requestContext });
  }

  private internals(): ApolloGatewayInternals {
    const g = apolloGatewayInternals(this.gateway);
    if (!g.queryPlanner) throw new Error('supergraph not loaded');
    return g;
  }
}
