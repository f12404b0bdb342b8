import type { ApolloGateway, GraphQLDataSource } from '@apollo/gateway';
import type { Operation, Schema } from '@apollo/federation-internals';
import type { QueryPlan, QueryPlanner } from '@apollo/query-planner';
import type { GraphQLSchema } from 'graphql';

/**
 * The one place that reads @apollo/gateway's private fields, and why: Atrium keeps
 * @apollo/gateway for loading the supergraph, planning and its plan cache, but executes the
 * plans itself (plan-executor.ts), and the gateway exposes neither its planner, its plan
 * cache, its data sources nor its schemas. These are the fields its own `executor` reads
 * (@apollo/gateway 2.14: dist/index.js), read fresh on each call since a supergraph update
 * replaces them.
 */
export interface ApolloGatewayInternals {
  /** The API schema as graphql-js sees it (what operations are validated against). */
  schema: GraphQLSchema;
  /** The API schema (federation-internals): what plans and responses are built against. */
  apiSchema: Schema;
  /** The supergraph as graphql-js sees it. */
  supergraphSchema: GraphQLSchema;
  queryPlanner: QueryPlanner;
  queryPlanStore: { get(key: string): Promise<QueryPlan | undefined>; set(key: string, plan: QueryPlan): Promise<void> };
  /**
   * The data source of each subgraph, and its routing URL from the supergraph: subscriptions
   * open their upstream at the subgraph's own URL over WebSocket (subscriptions/event-plan.ts),
   * the data source's URL when it has one (after SUBGRAPH_<NAME>_URL overrides), else this.
   */
  serviceMap: Record<string, { url?: string; dataSource: GraphQLDataSource }>;
  recursiveSelectionsLimitDisabled?: boolean;
  nonLocalSelectionsLimitDisabled?: boolean;
  logger: { warn(message: string): void };
}

export function apolloGatewayInternals(gateway: ApolloGateway): ApolloGatewayInternals {
  return gateway as unknown as ApolloGatewayInternals;
}

/** The data source of each subgraph, by the subgraph names a plan's fetches use. */
export function dataSourcesOf(internals: ApolloGatewayInternals): Record<string, GraphQLDataSource> {
  const dataSources: Record<string, GraphQLDataSource> = Object.create(null);
  for (const [name, { dataSource }] of Object.entries(internals.serviceMap)) dataSources[name] = dataSource;
  return dataSources;
}

/** The gateway's plan of `operation`, as its own executor builds one on a plan-cache miss. */
export function buildPlan(internals: ApolloGatewayInternals, operation: Operation): QueryPlan {
  return internals.queryPlanner.buildQueryPlan(operation, {
    recursiveSelectionsLimitDisabled: internals.recursiveSelectionsLimitDisabled,
    nonLocalSelectionsLimitDisabled: internals.nonLocalSelectionsLimitDisabled,
  });
}
