import { buildOperationContext, executeQueryPlan, type GraphQLDataSource, type ApolloGateway } from '@apollo/gateway';
import type { Schema } from '@apollo/federation-internals';
import { operationFromDocument } from '@apollo/federation-internals';
import type { FetchNode, PlanNode, QueryPlan, QueryPlanner } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../context';

type OperationContext = ReturnType<typeof buildOperationContext>;

/** What @apollo/gateway keeps private but a subscription executor needs: the loaded supergraph. */
interface GatewayInternals {
  schema: GraphQLSchema;
  apiSchema: Schema;
  supergraphSchema: GraphQLSchema;
  queryPlanner: QueryPlanner;
  serviceMap: Record<string, { url?: string; dataSource: GraphQLDataSource<GatewayContext> }>;
}

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
  /** What executes each event, fixed with the plan: the plan as a query (primary, then rest), its operation, and the data sources. */
  execution: { queryPlan: QueryPlan; operationContext: OperationContext; services: Record<string, GraphQLDataSource<GatewayContext>> };
}

/**
 * Plans subscription operations with the gateway's own query planner, which already knows
 * how: a `Subscription` node is a primary fetch to the subgraph owning the field plus a
 * `rest` plan completing each event with fields of other subgraphs. @apollo/gateway's
 * executor refuses that node; {@link completeEvent} executes it one event at a time.
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
    const plan = g.queryPlanner.buildQueryPlan(operation);
    if (plan.node?.kind !== 'Subscription') throw new Error('not a subscription operation');
    const { primary, rest } = plan.node;
    // The data source's URL: the routing URL after SUBGRAPH_<NAME>_URL overrides.
    const service = g.serviceMap[primary.serviceName];
    const url = (service?.dataSource as { url?: string } | undefined)?.url ?? service?.url;
    if (!url) throw new Error(`subgraph "${primary.serviceName}" has no routing URL`);
    // Each event replays as the primary fetch's answer, then the rest runs: as a query plan.
    const asQuery = { ...primary, operationKind: 'query' as never };
    const execution = {
      queryPlan: { kind: 'QueryPlan', node: rest ? { kind: 'Sequence', nodes: [asQuery, rest] } : asQuery } as QueryPlan,
      operationContext: buildOperationContext({ schema: g.schema, operationDocument: document, operationName }),
      services: Object.fromEntries(Object.entries(g.serviceMap).map(([name, s]) => [name, s.dataSource])),
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
    const g = this.internals();
    const { queryPlan, operationContext, services } = plan.execution;
    // The event stands in for the primary fetch's answer; other fetches (to this subgraph too) go out as usual.
    const owner = services[plan.serviceName];
    const replay: GraphQLDataSource<GatewayContext> = {
      process: (options) =>
        options.request.query === plan.primary.operation
          ? Promise.resolve({ data: event.data ?? null, errors: event.errors as never })
          : owner.process(options),
    };
    const requestContext = {
      request: { variables, operationName: plan.operationName },
      context,
      metrics: {},
      logger: undefined,
    } as unknown as GatewayGraphQLRequestContext;
    return executeQueryPlan(queryPlan, { ...services, [plan.serviceName]: replay }, requestContext, operationContext, g.supergraphSchema, g.apiSchema) as Promise<ExecutionResult>;
  }

  private internals(): GatewayInternals {
    const g = this.gateway as unknown as GatewayInternals;
    if (!g.queryPlanner) throw new Error('supergraph not loaded');
    return g;
  }
}
