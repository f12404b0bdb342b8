import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ERRORS, errorCodeDef, operationFromDocument, type FieldSelection, type Operation, type Schema } from '@apollo/federation-internals';
import type {
  ConditionNode,
  DeferNode,
  FetchDataRewrite,
  FetchNode,
  PlanNode,
  QueryPlan,
  QueryPlanSelectionNode,
  ResponsePath,
} from '@apollo/query-planner';
import { evaluateCondition } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import {
  executeSync,
  GraphQLError,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  Kind,
  OperationTypeNode,
  visit,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type VariableDefinitionNode,
} from 'graphql';
import { compileShape, shapeResponse, type CompiledShape } from './response-shape';

type GraphQLDataSourceResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/**
 * Atrium's executor of `@apollo/query-planner` plans: what @apollo/gateway's
 * `executeQueryPlan` does, with the same results (data, errors and their paths), but with
 * what can be compiled once cached per plan node and per operation:
 *
 * - for each `Fetch`, the walker that picks a representation out of an entity (its
 *   `requires`) and the memo of its type conditions (`compiledFetch`);
 * - for the final response, the operation's selection walker (`response-shape.ts`).
 *
 * Supported: `Fetch` (root and `_entities` fetches, `variableUsages`, input and output
 * rewrites), `Sequence`, `Parallel`, `Flatten` (with `@` list markers), `Condition`, and
 * `Defer`: run to the end by `executePlan` (one complete result), delivered part by part by
 * `executePlanIncrementally` (incremental.ts). A plan's `Subscription` node runs one event at a
 * time through `executeSubscriptionEvent`.
 */

/** Everything one execution of a plan needs. */
export interface PlanExecutionContext {
  /** The supergraph as graphql-js sees it: type conditions of `requires` and rewrites. */
  supergraphSchema: GraphQLSchema;
  /** The API schema (federation-internals): the client's operation is shaped against it. */
  apiSchema: Schema;
  /**
   * The client's operation: a federation-internals `Operation` built against `apiSchema`,
   * or the client's document and operation name (parsed into one, cached per document).
   */
  operation: Operation | { document: DocumentNode; operationName?: string | null };
  /** The request's variables (defaults of the operation are applied for shaping). */
  variables?: Record<string, unknown>;
  /** One data source per subgraph, by the subgraph names of the plan's fetches. */
  dataSources: Record<string, GraphQLDataSource>;
  /** The incoming request's context, handed to each data source as @apollo/gateway does. */
  requestContext: GatewayGraphQLRequestContext;
}

/**
 * Runs `plan` and shapes its result to the client's operation. Resolves to the client's
 * response exactly as @apollo/gateway's `executeQueryPlan` would:
 * - errors of fetches (subgraph errors, their paths rewritten to the client's; thrown
 *   errors of a fetch) in `errors`, beside the data that could be fetched;
 * - errors of value completion (a null in a non-null position, invalid leaves) in
 *   `extensions.valueCompletion` when no fetch failed — like the stock executor, which
 *   reports them there rather than in `errors`.
 */
export async function executePlan(plan: QueryPlan, context: PlanExecutionContext): Promise<ExecutionResult> {
  let operation: Operation;
  try {
    operation = resolveOperation(context);
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    throw error;
  }
  if (plan.node?.kind === 'Subscription') throw new Error('A subscription plan runs one event at a time: use executeSubscriptionEvent');
  const run = startRun(context, operation);
  const data = Object.create(null) as Record<string, unknown>;
  if (plan.node) await executeNode(run, plan.node, rootCursor(data));
  return completeResult(run, compileShape(operation), data);
}

/**
 * Completes one event of a subscription planned as a `Subscription` node: the event stands
 * for the answer of the node's primary fetch (its data merged at the root, its errors at
 * their paths with the owning subgraph's name, as a fetch's would be), then `rest` runs (the
 * fields of other subgraphs) and the response is shaped to the client's selection. Resolves
 * to what `executePlan` would for the plan Sequence(primary, rest) answering with the event.
 */
export async function executeSubscriptionEvent(
  plan: QueryPlan,
  event: ExecutionResult<Record<string, unknown>>,
  context: PlanExecutionContext,
): Promise<ExecutionResult> {
  const node = plan.node;
  if (node?.kind !== 'Subscription') throw new Error('executeSubscriptionEvent runs plans of a subscription (a Subscription node)');
  let operation: Operation;
  try {
    operation = resolveOperation(context);
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    throw error;
  }
  const run = startRun(context, operation);
  const data = Object.create(null) as Record<string, unknown>;
  const cursor = rootCursor(data);
  try {
    const received = receive(run, node.primary, cursor, event as GraphQLDataSourceResponse);
    if (received) compiledFetch(node.primary, context.supergraphSchema).rewriteOutput(received);
    deepMerge(data, received);
  } catch (error) {
    run.errors.push(error as Error);
  }
  if (node.rest) await executeNode(run, node.rest, cursor);
  return completeResult(run, compileShape(operation), data);
}

// ---------------------------------------------------------------------------------------
// What incremental delivery (incremental.ts) builds on: one run of a plan, its nodes, and
// the shaping of its result. Not part of the executor's API.

/** Starts a run of a plan for `operation` (variables from the context, else the request's). */
export function startRun(context: PlanExecutionContext, operation: Operation): Run {
  const variables = context.variables ?? (context.requestContext.request.variables as Record<string, unknown> | undefined);
  return { context, operation, variables, errors: [] };
}

export function rootCursor(data: Record<string, unknown>): Cursor {
  return { path: [], data, fullResult: data };
}

/**
 * The client's result from a run's merged data, shaped by `shape`: fetch errors in `errors`;
 * value-completion errors in `extensions.valueCompletion` when no fetch failed (as the stock
 * executor reports them).
 */
export function completeResult(run: Run, shape: CompiledShape, data: Record<string, unknown>): ExecutionResult {
  try {
    const shaped = shapeWith(run, shape, data);
    if (run.errors.length === 0 && shaped.errors.length > 0) return { extensions: { valueCompletion: shaped.errors }, data: shaped.data };
    return run.errors.length === 0 ? { data: shaped.data } : { errors: run.errors as GraphQLError[], data: shaped.data };
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    if (error instanceof Error) return { errors: [new GraphQLError(error.message, { originalError: error })] };
    return { errors: [new GraphQLError('Unexpected error during query plan execution')] };
  }
}

/** Shapes `data` (the whole merged data, or one object of it for a part of a shape) with the run's variables. */
export function shapeWith(run: Run, shape: CompiledShape, data: Record<string, unknown>): ReturnType<typeof shapeResponse> {
  const { context, operation, variables } = run;
  return shapeResponse(shape, data, variables, (selection) => introspect(context.apiSchema, operation, selection, variables));
}

// ---------------------------------------------------------------------------------------
// The client's operation, cached per API schema, document and operation name.

const operationsBySchema = new WeakMap<Schema, WeakMap<DocumentNode, Map<string, Operation>>>();

export function resolveOperation(context: PlanExecutionContext): Operation {
  if (!('document' in context.operation)) return context.operation;
  const { document, operationName } = context.operation;
  let byDocument = operationsBySchema.get(context.apiSchema);
  if (!byDocument) operationsBySchema.set(context.apiSchema, (byDocument = new WeakMap()));
  let byName = byDocument.get(document);
  if (!byName) byDocument.set(document, (byName = new Map()));
  const key = operationName ?? '';
  let operation = byName.get(key);
  if (!operation) {
    operation = operationFromDocument(context.apiSchema, document, { operationName: operationName ?? undefined, validate: false });
    byName.set(key, operation);
  }
  return operation;
}

// ---------------------------------------------------------------------------------------
// Running the plan.

export interface Run {
  context: PlanExecutionContext;
  operation: Operation;
  variables: Record<string, unknown> | undefined;
  /** Errors of fetches, in the client's paths (or thrown errors, as the stock executor keeps them). */
  errors: Error[];
  /**
   * Set by incremental delivery (incremental.ts): runs `Defer` nodes part by part, and hears
   * of each fetch with an `id` (what deferred parts depend on). Without it, `Defer` nodes run
   * to the end in place.
   */
  incremental?: IncrementalHooks;
}

export interface IncrementalHooks {
  defer(run: Run, node: DeferNode, cursor: Cursor): Promise<void>;
  fetched(id: string): void;
}

/** Where a node runs: the data at its path (an object, or a flattened list of them). */
export interface Cursor {
  path: ResponsePath;
  data: unknown;
  fullResult: Record<string, unknown>;
}

export async function executeNode(run: Run, node: PlanNode, cursor: Cursor | undefined): Promise<void> {
  if (!cursor) return;
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await executeNode(run, child, cursor);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => executeNode(run, child, cursor)));
      return;
    case 'Flatten':
      return executeNode(run, node.node, moveInto(cursor, node.path));
    case 'Fetch':
      try {
        await executeFetch(run, node, cursor);
      } catch (error) {
        run.errors.push(error as Error);
      }
      // Only fetches that deferred parts depend on have an id.
      if (node.id !== undefined) run.incremental?.fetched(node.id);
      return;
    case 'Condition': {
      const branch = conditionHolds(run, node) ? node.ifClause : node.elseClause;
      if (branch) await executeNode(run, branch, cursor);
      return;
    }
    case 'Defer':
      if (run.incremental) return run.incremental.defer(run, node, cursor);
      return executeDeferInPlace(run, node, cursor);
  }
}

/** A `Defer` node run to the end: its primary, then every deferred part (each after the primary it depends on). */
async function executeDeferInPlace(run: Run, node: DeferNode, cursor: Cursor): Promise<void> {
  if (node.primary.node) await executeNode(run, node.primary.node, cursor);
  await Promise.all(node.deferred.map((deferred) => (deferred.node ? executeNode(run, deferred.node, cursor) : undefined)));
}

function conditionHolds(run: Run, node: ConditionNode): boolean {
  return evaluateCondition(node, run.operation.variableDefinitions, run.variables);
}

function moveInto(cursor: Cursor, path: ResponsePath): Cursor | undefined {
  const data = flattenAt(cursor.data, path, 0);
  return data ? { path: cursor.path.concat(path), data, fullResult: cursor.fullResult } : undefined;
}

/** The values at `path` (`@` flattens a list), one list for all of them once a `@` was crossed. */
function flattenAt(value: unknown, path: ResponsePath, from: number): unknown {
  if (from === path.length || value === undefined || value === null) return value;
  const head = path[from];
  if (head === '@') {
    if (!Array.isArray(value)) throw new Error(`Expected a list at "@" in path ${path.join('.')}`);
    return value.flatMap((element) => flattenAt(element, path, from + 1));
  }
  if (typeof head !== 'string') throw new Error(`Unexpected ${typeof head} found in path`);
  if (Array.isArray(value)) throw new Error(`Unexpected array in result for path element ${head}`);
  return flattenAt(own(value as Record<string, unknown>, head), path, from + 1);
}

// ---------------------------------------------------------------------------------------
// Fetches, with what is compiled once per fetch node.

type Entity = Record<string, unknown>;

interface CompiledFetch {
  /** The representation of an entity (its `requires`), or null when it has none. */
  represent: (entity: Entity) => Entity | null;
  rewriteInput: (value: unknown) => void;
  rewriteOutput: (value: unknown) => void;
}

const compiledFetches = new WeakMap<FetchNode, WeakMap<GraphQLSchema, CompiledFetch>>();

function compiledFetch(fetch: FetchNode, schema: GraphQLSchema): CompiledFetch {
  let bySchema = compiledFetches.get(fetch);
  if (!bySchema) compiledFetches.set(fetch, (bySchema = new WeakMap()));
  let compiled = bySchema.get(schema);
  if (!compiled) {
    const typeTest = typeTester(schema);
    const walk = fetch.requires ? compileRequires(fetch.requires, typeTest) : () => null;
    compiled = {
      represent: (entity) => walk(entity) as Entity | null,
      rewriteInput: compileRewrites(fetch.inputRewrites, typeTest),
      rewriteOutput: compileRewrites(fetch.outputRewrites, typeTest),
    };
    bySchema.set(schema, compiled);
  }
  return compiled;
}

/**
 * Whether an object is of a type condition (an object type, or an abstract type it belongs to),
 * by its `__typename`; `unknown` is the answer for an object without one. Memoized per pair.
 */
type TypeTest = (object: Entity, condition: string, unknown: boolean) => boolean;

function typeTester(schema: GraphQLSchema): TypeTest {
  const memo = new Map<string, boolean>();
  return (object, condition, unknown) => {
    const typename = object.__typename;
    if (!typename) return unknown;
    if (typename === condition) return true;
    const key = `${typename}\u0000${condition}`;
    let result = memo.get(key);
    if (result === undefined) {
      const type = schema.getType(typename as string);
      const conditional = schema.getType(condition);
      result =
        !!type &&
        !!conditional &&
        isAbstractType(conditional) &&
        (isObjectType(type) || isInterfaceType(type)) &&
        schema.isSubType(conditional, type);
      memo.set(key, result);
    }
    return result;
  };
}

type Walker = (source: unknown) => unknown;

/** The `requires` selection compiled to a walker (null when a required field is missing). */
function compileRequires(selections: readonly QueryPlanSelectionNode[], typeTest: TypeTest): Walker {
  const steps = selections.map((selection) => {
    if (selection.kind === 'Field') {
      const responseName = selection.alias ?? selection.name;
      const sub = selection.selections ? compileRequires(selection.selections, typeTest) : undefined;
      return { kind: 'field' as const, responseName, sub };
    }
    return { kind: 'fragment' as const, typeCondition: selection.typeCondition, sub: compileRequires(selection.selections, typeTest) };
  });
  const walk: Walker = (source) => {
    if (source === null) return null;
    const object = source as Entity;
    const result = Object.create(null) as Entity;
    for (const step of steps) {
      if (step.kind === 'field') {
        const value = own(object, step.responseName);
        if (value === undefined) return null;
        if (Array.isArray(value)) result[step.responseName] = step.sub ? value.map(step.sub) : value;
        else result[step.responseName] = step.sub ? step.sub(value) : value;
      } else {
        if (!step.typeCondition || !source) continue;
        if (typeTest(object, step.typeCondition, false)) deepMerge(result, step.sub(object));
      }
    }
    return result;
  };
  return walk;
}

/** A fetch's rewrites (`ValueSetter`, `KeyRenamer` at a path with `... on T` conditions). */
function compileRewrites(rewrites: readonly FetchDataRewrite[] | undefined, typeTest: TypeTest): (value: unknown) => void {
  if (!rewrites || rewrites.length === 0) return () => {};
  const compiled = rewrites
    .filter((rewrite) => rewrite.path.length > 0)
    .map((rewrite) => {
      const parent = rewrite.path.slice(0, -1).map((element) =>
        element.startsWith('... on ') ? { typeName: element.slice('... on '.length) } : { field: element },
      );
      const last = rewrite.path[rewrite.path.length - 1]!;
      if (last.startsWith('... on ')) throw new Error(`Unexpected fragment as last element of ${rewrite.path}`);
      const apply =
        rewrite.kind === 'ValueSetter'
          ? (object: Entity) => {
              object[last] = rewrite.setValueTo;
            }
          : (object: Entity) => {
              const value = own(object, last);
              if (value) {
                object[rewrite.renameKeyTo] = value;
                object[last] = undefined;
              }
            };
      const at = (value: unknown, index: number): void => {
        if (Array.isArray(value)) {
          for (const element of value) at(element, index);
          return;
        }
        if (typeof value !== 'object' || value === null) return;
        if (index === parent.length) return apply(value as Entity);
        const element = parent[index];
        if (element.field !== undefined) at(own(value as Entity, element.field), index + 1);
        else if (typeTest(value as Entity, element.typeName!, true)) at(value, index + 1);
      };
      return (value: unknown) => at(value, 0);
    });
  return (value) => {
    for (const rewrite of compiled) rewrite(value);
  };
}

async function executeFetch(run: Run, fetch: FetchNode, cursor: Cursor): Promise<void> {
  const { context } = run;
  const source = context.dataSources[fetch.serviceName];
  if (!source) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
  const entities: Entity[] = Array.isArray(cursor.data)
    ? (cursor.data as unknown[]).filter((entity): entity is Entity => entity !== null && entity !== undefined)
    : [cursor.data as Entity];
  if (entities.length === 0) return;
  const compiled = compiledFetch(fetch, context.supergraphSchema);

  const variables = Object.create(null) as Record<string, unknown>;
  const provided = run.variables;
  if (fetch.variableUsages && provided) {
    for (const name of fetch.variableUsages) {
      if (Object.prototype.hasOwnProperty.call(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
    }
  }

  if (!fetch.requires) {
    const received = await send(run, fetch, cursor, source, variables);
    if (received) compiled.rewriteOutput(received);
    for (const entity of entities) deepMerge(entity, received);
    return;
  }

  const representations: Entity[] = [];
  const representedEntities: Entity[] = [];
  for (const entity of entities) {
    const representation = compiled.represent(entity);
    if (representation && representation.__typename) {
      compiled.rewriteInput(representation);
      representations.push(representation);
      representedEntities.push(entity);
    }
  }
  if (representations.length === 0) return;
  if ('representations' in variables) throw new Error('Variables cannot contain key "representations"');
  const received = await send(run, fetch, cursor, source, { ...variables, representations });
  if (!received) return;
  const receivedEntities = received._entities;
  if (!Array.isArray(receivedEntities)) throw new Error('Expected "data._entities" in response to be an array');
  if (receivedEntities.length !== representations.length) {
    throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
  }
  for (let i = 0; i < receivedEntities.length; i++) {
    const receivedEntity = receivedEntities[i] as Entity | null;
    const entity = representedEntities[i];
    if (receivedEntity && !receivedEntity.__typename) receivedEntity.__typename = entity.__typename;
    compiled.rewriteOutput(receivedEntity);
    deepMerge(entity, receivedEntity);
  }
}

/** Sends one fetch through its data source; its errors join the run's, at the client's paths. */
async function send(
  run: Run,
  fetch: FetchNode,
  cursor: Cursor,
  source: GraphQLDataSource,
  variables: Record<string, unknown>,
): Promise<Entity | null | undefined> {
  const { requestContext } = run.context;
  const response = await source.process({
    // GraphQLDataSourceRequestKind.INCOMING_OPERATION: the enum's value, which the package's index does not export.
    kind: 'incoming operation',
    request: { query: fetch.operation, variables, operationName: fetch.operationName },
    incomingRequestContext: requestContext,
    context: requestContext.context,
    document: fetch.operationDocumentNode,
    pathInIncomingRequest: cursor.path,
  } as GraphQLDataSourceProcessOptions);
  return receive(run, fetch, cursor, response);
}

/** A fetch's answer: its errors join the run's (at the client's paths), its data is returned to be merged. */
function receive(run: Run, fetch: FetchNode, cursor: Cursor, response: GraphQLDataSourceResponse): Entity | null | undefined {
  const { requestContext } = run.context;
  if (response.errors) {
    const toClientPath = errorPathMapper(fetch, cursor);
    run.errors.push(...response.errors.map((error) => downstreamError(error, fetch.serviceName, toClientPath)));
    // Usage reporting's record of subgraph errors without a federated trace, as the stock executor keeps it.
    const metrics = requestContext.metrics as { nonFtv1ErrorPaths?: { subgraph: string; path: unknown }[] } | undefined;
    if (metrics && !response.extensions?.ftv1) {
      const paths = response.errors.map((error) => ({ subgraph: fetch.serviceName, path: error.path }));
      if (metrics.nonFtv1ErrorPaths) metrics.nonFtv1ErrorPaths.push(...paths);
      else metrics.nonFtv1ErrorPaths = paths;
    }
  }
  return response.data as Entity | null | undefined;
}

type ErrorPath = readonly (string | number)[] | undefined;

/**
 * A subgraph error's path in the client's response: for `_entities` fetches, the index of
 * the representation becomes the path of that entity in the full result (computed lazily,
 * once per fetch); for root-shaped fetches, the cursor's path prefixes it.
 */
function errorPathMapper(fetch: FetchNode, cursor: Cursor): (path: ErrorPath) => (string | number)[] | undefined {
  let entityPaths: (string | number)[][] | undefined;
  return (path) => {
    if (fetch.requires && typeof path?.[1] === 'number') {
      if (!entityPaths) {
        entityPaths = [];
        hydratePaths([], cursor.path, 0, cursor.fullResult, entityPaths);
      }
      return [...(entityPaths[path[1]] ?? []), ...path.slice(2)];
    }
    return path ? [...cursor.path, ...path] : undefined;
  };
}

/** Every concrete path (with list indexes) that `path` (with `@` markers) reaches in `data`. */
function hydratePaths(prefix: (string | number)[], path: ResponsePath, from: number, data: unknown, into: (string | number)[][]): void {
  if (data === null || data === undefined) return;
  if (from === path.length) {
    into.push(prefix.slice());
    return;
  }
  const head = path[from];
  if (head === '@') {
    if (!Array.isArray(data)) throw new Error('expected array when encountering `@`');
    data.forEach((value, i) => {
      prefix.push(i);
      hydratePaths(prefix, path, from + 1, value, into);
      prefix.pop();
    });
  } else if (typeof head === 'string') {
    if (Array.isArray(data)) {
      data.forEach((value, i) => {
        prefix.push(i);
        hydratePaths(prefix, path, from, value, into);
        prefix.pop();
      });
    } else if (Object.prototype.hasOwnProperty.call(data, head)) {
      prefix.push(head);
      hydratePaths(prefix, path, from + 1, (data as Entity)[head], into);
      prefix.pop();
    }
  } else {
    throw new Error(`unknown path part "${head}"`);
  }
}

/** A subgraph's error as the client sees it: its code kept (else DOWNSTREAM_SERVICE_ERROR), `serviceName` added. */
function downstreamError(
  original: { message?: string; path?: ErrorPath; extensions?: Record<string, unknown> },
  serviceName: string,
  toClientPath: (path: ErrorPath) => (string | number)[] | undefined,
): GraphQLError {
  const message = original.message || `Error while fetching subquery from service "${serviceName}"`;
  const options = {
    originalError: original as Error,
    path: toClientPath(original.path),
    extensions: { ...original.extensions, serviceName },
  };
  const codeDef = errorCodeDef(original as GraphQLError);
  if (!codeDef && original.extensions?.code) return new GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}

// ---------------------------------------------------------------------------------------
// Merging and introspection.

/** Merges a fetch's answer into the data: objects key by key, lists of equal length element by element. */
function deepMerge(target: Entity, source: unknown): void {
  if (source === undefined || source === null) return;
  const from = source as Entity;
  for (const key of Object.keys(from)) {
    const value = from[key];
    if (value === undefined) continue;
    const existing = target[key];
    if (existing && isPlainObject(value)) {
      deepMerge(existing as Entity, value);
    } else if (Array.isArray(value) && Array.isArray(existing) && value.length === existing.length) {
      for (let i = 0; i < value.length; i++) {
        if (isPlainObject(existing[i]) && isPlainObject(value[i])) deepMerge(existing[i] as Entity, value[i]);
        else existing[i] = value[i];
      }
    } else {
      target[key] = value;
    }
  }
}

function isPlainObject(value: unknown): value is Entity {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function own(object: Entity, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

const graphQLJSSchemas = new WeakMap<Schema, GraphQLSchema>();

/** `__schema` / `__type`, answered by graphql-js on the API schema. */
function introspect(apiSchema: Schema, operation: Operation, selection: FieldSelection, variables: Record<string, unknown> | undefined): unknown {
  let schema = graphQLJSSchemas.get(apiSchema);
  if (!schema) graphQLJSSchemas.set(apiSchema, (schema = apiSchema.toGraphQLJSSchema()));
  const node = selection.expandFragments().toSelectionNode();
  const used = new Set<string>();
  visit(node, { Variable: ({ name }) => void used.add(name.value) });
  const definitions: VariableDefinitionNode[] = (operation.variableDefinitions.toVariableDefinitionNodes() ?? []).filter((definition) =>
    used.has(definition.variable.name.value),
  );
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: OperationTypeNode.QUERY,
        variableDefinitions: definitions,
        selectionSet: { kind: Kind.SELECTION_SET, selections: [node] },
      },
    ],
  };
  const { data, errors } = executeSync({ schema, document, rootValue: {}, variableValues: variables });
  if (errors?.length || !data) throw new Error(`Introspection of ${selection} failed: ${JSON.stringify(errors)}`);
  return own(data, node.alias?.value ?? node.name.value);
}
