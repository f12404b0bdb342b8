/**
 * The differential conformance tier's machinery: supergraphs composed in-process from
 * small in-memory subgraphs, planned by @apollo/query-planner, executed by the stock
 * @apollo/gateway executor (the oracle) and by each executor under test, through one seam.
 * No servers, no HTTP: a subgraph "fetch" is graphql-js's `execute` on the subgraph schema.
 */
import { composeServices } from '@apollo/composition';
import { buildOperationContext, executeQueryPlan, type GraphQLDataSource } from '@apollo/gateway';
import { operationFromDocument, Supergraph, type Operation, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, subscribe, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';

/** One subgraph of a fixture: its SDL and resolvers over plain arrays. */
export interface SubgraphFixture {
  name: string;
  typeDefs: string;
  resolvers: Record<string, Record<string, unknown>>;
  /** Fails the whole fetch (as a network error would) when it returns an Error for a request. */
  fail?: (query: string, variables: Record<string, unknown> | undefined) => Error | undefined;
}

/** One operation of a fixture, with the variables it runs with. */
export interface OperationFixture {
  name: string;
  query: string;
  operationName?: string;
  variables?: Record<string, unknown>;
  /** Whether the oracle's answer carries errors: guards the fixture itself (a typo must not compare equal to itself). */
  errors?: boolean;
}

export interface SupergraphFixture {
  name: string;
  /** What this supergraph exercises, for the README and the reader. */
  covers: string[];
  subgraphs: SubgraphFixture[];
  operations: OperationFixture[];
  /** Restores the data arrays (fixtures with mutations): called before every run of an operation. */
  reset?: () => void;
}

/** A composed, loaded supergraph: what @apollo/gateway keeps after loading one. */
export interface ConformanceSupergraph {
  name: string;
  supergraphSdl: string;
  supergraph: Supergraph;
  /** The API schema as federation-internals' Schema (what operations are built against). */
  apiSchema: Schema;
  /** The API schema as graphql-js (what the operation context is built against). */
  schema: GraphQLSchema;
  /** The supergraph schema as graphql-js (join directives included). */
  supergraphSchema: GraphQLSchema;
  planner: QueryPlanner;
  subgraphSchemas: Record<string, GraphQLSchema>;
}

/** The client's operation, parsed and resolved against the API schema. */
export interface ConformanceOperation {
  document: DocumentNode;
  operationName?: string;
  operation: Operation;
}

export type DataSources = Record<string, GraphQLDataSource>;

/**
 * The seam: anything that executes a query plan. The oracle is @apollo/gateway's
 * `executeQueryPlan`; Atrium's executor (gateway/src/execute/) plugs in with the same shape.
 */
export type ExecutorUnderTest = (
  plan: QueryPlan,
  supergraph: ConformanceSupergraph,
  operation: ConformanceOperation,
  variables: Record<string, unknown>,
  dataSources: DataSources,
) => Promise<ExecutionResult>;

/** The stock executor behind the seam: the oracle, and (until Atrium's exists) an executor under test. */
export const stockExecutor: ExecutorUnderTest = async (plan, supergraph, operation, variables, dataSources) => {
  const operationContext = buildOperationContext({
    schema: supergraph.schema,
    operationDocument: operation.document,
    operationName: operation.operationName,
  });
  const requestContext = {
    request: { variables, operationName: operation.operationName },
    context: {},
    metrics: {},
    logger: silentLogger,
  } as unknown as GatewayGraphQLRequestContext;
  const result = await executeQueryPlan(plan, dataSources, requestContext, operationContext, supergraph.supergraphSchema, supergraph.apiSchema);
  return result as ExecutionResult;
};

const noop = () => undefined;
const silentLogger = { debug: noop, info: noop, warn: noop, error: noop };

export function composeFixture(fixture: SupergraphFixture): ConformanceSupergraph {
  const composed = composeServices(
    fixture.subgraphs.map((s) => ({ name: s.name, typeDefs: parse(s.typeDefs), url: `http://${s.name}.invalid/graphql` })),
  );
  if (composed.errors) throw new Error(`${fixture.name} does not compose:\n${composed.errors.map((e) => e.message).join('\n')}`);
  const supergraph = Supergraph.build(composed.supergraphSdl);
  const apiSchema = supergraph.apiSchema();
  return {
    name: fixture.name,
    supergraphSdl: composed.supergraphSdl,
    supergraph,
    apiSchema,
    schema: apiSchema.toGraphQLJSSchema(),
    supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
    planner: new QueryPlanner(supergraph),
    subgraphSchemas: Object.fromEntries(
      fixture.subgraphs.map((s) => [s.name, buildSubgraphSchema({ typeDefs: parse(s.typeDefs), resolvers: s.resolvers as never })]),
    ),
  };
}

/**
 * Data sources calling the subgraph schemas in-process. The answer goes through JSON as it
 * would over HTTP (errors become plain objects with message, path, extensions).
 */
export function inMemoryDataSources(fixture: SupergraphFixture, supergraph: ConformanceSupergraph): DataSources {
  return Object.fromEntries(
    fixture.subgraphs.map((s) => {
      const schema = supergraph.subgraphSchemas[s.name];
      const source: GraphQLDataSource = {
        async process({ request }) {
          const failure = s.fail?.(request.query!, request.variables);
          if (failure) throw failure;
          const result = await execute({
            schema,
            document: parse(request.query!),
            variableValues: request.variables,
            operationName: request.operationName,
            contextValue: {},
          });
          return JSON.parse(JSON.stringify(result)) as GatewayGraphQLResponse;
        },
      };
      return [s.name, source];
    }),
  );
}

export function planOperation(supergraph: ConformanceSupergraph, op: OperationFixture): { plan: QueryPlan; operation: ConformanceOperation } {
  const document = parse(op.query);
  const operation = operationFromDocument(supergraph.apiSchema, document, { operationName: op.operationName });
  return { plan: supergraph.planner.buildQueryPlan(operation), operation: { document, operationName: op.operationName, operation } };
}

/** What is compared: data, and each error's message, path and code. */
export interface Recorded {
  data: unknown;
  errors: RecordedError[];
  /**
   * The stock executor reports errors of value completion (a null in a non-null position)
   * not in `errors` but in `extensions.valueCompletion` when no fetch failed: compared too.
   */
  valueCompletion?: RecordedError[];
}
type RecordedError = { message: string; path?: readonly (string | number)[]; code?: unknown };

function recordError(e: { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }): RecordedError {
  return {
    message: e.message,
    ...(e.path ? { path: [...e.path] } : {}),
    ...(e.extensions?.code !== undefined ? { code: e.extensions.code } : {}),
  };
}

export function record(result: ExecutionResult): Recorded {
  const valueCompletion = result.extensions?.valueCompletion as Parameters<typeof recordError>[0][] | undefined;
  return {
    data: result.data,
    errors: (result.errors ?? []).map(recordError),
    ...(valueCompletion?.length ? { valueCompletion: valueCompletion.map(recordError) } : {}),
  };
}

/**
 * Runs one operation through an executor. A query or mutation is planned and executed once.
 * A subscription is planned as @apollo/gateway plans it (a `Subscription` node: the primary
 * fetch opening it on the owning subgraph, and the `rest` completing each event); each event
 * of the subgraph's stream then stands in for the primary fetch's answer and the plan runs as
 * a query, as gateway/src/subscriptions/event-plan.ts does (the stock executor refuses
 * `Subscription` nodes). The result is one Recorded per event.
 */
export async function run(
  executor: ExecutorUnderTest,
  fixture: SupergraphFixture,
  supergraph: ConformanceSupergraph,
  op: OperationFixture,
): Promise<Recorded[]> {
  fixture.reset?.();
  const { plan, operation } = planOperation(supergraph, op);
  const variables = op.variables ?? {};
  const dataSources = inMemoryDataSources(fixture, supergraph);
  if (plan.node?.kind !== 'Subscription') return [record(await executor(plan, supergraph, operation, variables, dataSources))];

  const { primary, rest } = plan.node;
  const stream = await subscribe({
    schema: supergraph.subgraphSchemas[primary.serviceName],
    document: parse(primary.operation),
    variableValues: primaryVariables(primary, variables),
    contextValue: {},
  });
  if (!(Symbol.asyncIterator in stream)) return [record(stream)];
  const asQuery = { ...primary, operationKind: 'query' as never } as FetchNode;
  const eventPlan: QueryPlan = { kind: 'QueryPlan', node: rest ? ({ kind: 'Sequence', nodes: [asQuery, rest] } as PlanNode) : asQuery };
  const results: Recorded[] = [];
  for await (const event of stream) {
    const owner = dataSources[primary.serviceName];
    const replay: GraphQLDataSource = {
      process: (options) =>
        options.request.query === primary.operation
          ? Promise.resolve(JSON.parse(JSON.stringify({ data: event.data ?? null, errors: event.errors })) as GatewayGraphQLResponse)
          : owner.process(options),
    };
    results.push(record(await executor(eventPlan, supergraph, operation, variables, { ...dataSources, [primary.serviceName]: replay })));
  }
  return results;
}

function primaryVariables(fetch: FetchNode, variables: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries((fetch.variableUsages ?? []).filter((v) => v in variables).map((v) => [v, variables[v]]));
}

/** Errors compared as a set: their order in the response list carries no meaning. */
export function comparable(recorded: Recorded[]): Recorded[] {
  const sorted = (errors: RecordedError[]) => [...errors].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return recorded.map((r) => ({ data: r.data, errors: sorted(r.errors), ...(r.valueCompletion ? { valueCompletion: sorted(r.valueCompletion) } : {}) }));
}

/** Federation 2 header importing every directive the fixtures use. */
export const fed2 = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@requires", "@provides", "@external", "@shareable", "@override", "@interfaceObject", "@inaccessible"])`;

/** Finds a row by its keys (entity references). */
export function byKey<T extends Record<string, unknown>>(rows: T[], ref: Record<string, unknown>, ...keys: string[]): T | null {
  return rows.find((r) => keys.every((k) => JSON.stringify(r[k]) === JSON.stringify(ref[k]))) ?? null;
}
