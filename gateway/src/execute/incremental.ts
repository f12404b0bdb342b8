import {
  baseType,
  isCompositeType,
  isSubtype,
  Operation,
  parseSelectionSet,
  type CompositeType,
  type FieldSelection,
  type Schema,
  type SelectionSet,
} from '@apollo/federation-internals';
import type { DeferNode, DeferredNode, PlanNode, QueryPlan } from '@apollo/query-planner';
import { GraphQLError, type ExecutionResult } from 'graphql';
import {
  completeResult,
  executeNode,
  executePlan,
  resolveOperation,
  rootCursor,
  shapeWith,
  startRun,
  type Cursor,
  type IncrementalHooks,
  type PlanExecutionContext,
  type Run,
} from './plan-executor';
import { compileShape, type CompiledShape } from './response-shape';

/**
 * `@defer`: a plan's `Defer` nodes delivered part by part, in the incremental delivery
 * format of `deferSpec=20220824` (the one Apollo Client speaks):
 *
 * - the initial result `{ data, errors?, hasNext: true }`: the primary part, shaped to the
 *   top-level `Defer` node's primary subselection, sent once the primary's fetches are done;
 * - then payloads `{ incremental: [{ data, path, label?, errors? }], hasNext }`, one item per
 *   place a deferred fragment applies (each element of a list), each shaped to its own
 *   subselection; the last payload has `hasNext: false`.
 *
 * Order: a deferred part starts as soon as the fetches it `depends` on are done (or, without
 * any, when its primary is), runs its own fetches with its own errors (a failing subgraph
 * there reports at that part's paths and leaves the others alone), and is delivered after
 * its primary is complete and after the part it is nested in. Parts ready together share a
 * payload.
 *
 * Errors follow `executePlan`: a part's fetch errors in its items' `errors` (an error
 * without a path, or outside every item, in the part's first item); errors of value
 * completion in `extensions.valueCompletion` when the part had no fetch error.
 */

/** The first response of an incremental execution. */
export type InitialIncrementalResult = ExecutionResult & { hasNext: boolean };

/** One deferred fragment, at one place of the response. */
export interface IncrementalDeferResult {
  data: Record<string, unknown> | null;
  path: (string | number)[];
  label?: string;
  errors?: GraphQLError[];
  extensions?: Record<string, unknown>;
}

/** A payload after the first: the deferred parts completed since the previous one. */
export interface SubsequentIncrementalResult {
  incremental?: IncrementalDeferResult[];
  hasNext: boolean;
}

export interface IncrementalExecution {
  initial: InitialIncrementalResult;
  /** The payloads after the initial result; empty when `initial.hasNext` is false. */
  subsequent: AsyncIterable<SubsequentIncrementalResult>;
}

/**
 * Runs `plan` and delivers its result incrementally: resolves with the initial result once
 * the primary part is complete, while the deferred parts go on; iterate `subsequent` for
 * them. A plan without `Defer` nodes (or whose `@defer(if:)` are all false) gives one
 * complete result with `hasNext: false`, exactly `executePlan`'s.
 */
export async function executePlanIncrementally(plan: QueryPlan, context: PlanExecutionContext): Promise<IncrementalExecution> {
  if (!hasDefer(plan)) return { initial: { ...asDelivered(await executePlan(plan, context)), hasNext: false }, subsequent: nothing() };
  let operation: Operation;
  try {
    operation = resolveOperation(context);
  } catch (error) {
    if (error instanceof GraphQLError) return { initial: { errors: [error], hasNext: false }, subsequent: nothing() };
    throw error;
  }
  return new IncrementalRun(context, operation).start(plan.node as PlanNode);
}

// ---------------------------------------------------------------------------------------

const defersByPlan = new WeakMap<QueryPlan, boolean>();

/** Whether a plan has a `Defer` node anywhere (cached per plan). */
function hasDefer(plan: QueryPlan): boolean {
  let found = defersByPlan.get(plan);
  if (found === undefined) {
    found = plan.node !== undefined && plan.node.kind !== 'Subscription' && containsDefer(plan.node);
    defersByPlan.set(plan, found);
  }
  return found;
}

function containsDefer(node: PlanNode): boolean {
  switch (node.kind) {
    case 'Defer':
      return true;
    case 'Sequence':
    case 'Parallel':
      return node.nodes.some(containsDefer);
    case 'Flatten':
      return containsDefer(node.node);
    case 'Condition':
      return (!!node.ifClause && containsDefer(node.ifClause)) || (!!node.elseClause && containsDefer(node.elseClause));
    case 'Fetch':
      return false;
  }
}

async function* nothing(): AsyncGenerator<SubsequentIncrementalResult> {}

/** A promise with its resolver. */
interface Signal {
  promise: Promise<void>;
  resolve(): void;
}

function signal(): Signal {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** The primary part (the root) or one deferred part of an execution. */
interface Part {
  /** The deferred node's label (none for the root, or an unlabelled `@defer`). */
  label?: string;
  queryPath: string[];
  /**
   * What this part's payload is shaped to: a deferred node's subselection, or, for a part
   * whose node is itself a `Defer` (nested `@defer`, and the root), that node's primary.
   * Undefined for the root when no `Defer` node ran (`@defer(if:)` false: the whole
   * operation), and for a deferred part that selects nothing of its own.
   */
  shapedBy?: { key: object; subselection: string | undefined };
  parent?: Part;
  /** The part's own run: its errors are its own. */
  run: Run;
  /** Resolved once the part's payload (the initial result, for the root) is queued. */
  delivered: Signal;
}

class IncrementalRun implements IncrementalHooks {
  private readonly data = Object.create(null) as Record<string, unknown>;
  private readonly parts = new WeakMap<Run, Part>();
  private readonly fetches = new Map<string, Signal>();
  /** Deferred parts registered and not yet delivered. */
  private pending = 0;
  private readonly queue: IncrementalDeferResult[] = [];
  private wake: Signal = signal();

  constructor(
    private readonly context: PlanExecutionContext,
    private readonly operation: Operation,
  ) {}

  async start(node: PlanNode): Promise<IncrementalExecution> {
    const run = startRun(this.context, this.operation);
    run.incremental = this;
    const root: Part = { queryPath: [], run, delivered: signal() };
    this.parts.set(run, root);
    try {
      await executeNode(run, node, rootCursor(this.data));
    } catch (error) {
      root.delivered.resolve();
      throw error;
    }
    let initial: ExecutionResult;
    if (!root.shapedBy) {
      initial = completeResult(run, compileShape(this.operation), this.data);
    } else {
      const shape = this.shapeOf(root);
      initial = shape ? completeResult(run, shape, this.data) : { ...(run.errors.length ? { errors: run.errors as GraphQLError[] } : {}), data: {} };
    }
    const hasNext = this.pending > 0;
    root.delivered.resolve();
    return { initial: { ...asDelivered(initial), hasNext }, subsequent: hasNext ? this.subsequent() : nothing() };
  }

  fetched(id: string): void {
    this.fetchSignal(id).resolve();
  }

  async defer(run: Run, node: DeferNode, cursor: Cursor): Promise<void> {
    const part = this.parts.get(run);
    if (!part) throw new Error('A Defer node ran outside its incremental execution');
    if (!part.shapedBy) part.shapedBy = { key: node.primary, subselection: node.primary.subselection };
    const primaryDone = signal();
    for (const deferred of node.deferred) this.startDeferred(part, deferred, primaryDone.promise, cursor);
    try {
      if (node.primary.node) await executeNode(run, node.primary.node, cursor);
    } finally {
      primaryDone.resolve();
    }
  }

  private fetchSignal(id: string): Signal {
    let fetched = this.fetches.get(id);
    if (!fetched) this.fetches.set(id, (fetched = signal()));
    return fetched;
  }

  /** Runs one deferred part in the background, and queues its payload when it may be delivered. */
  private startDeferred(parent: Part, deferred: DeferredNode, primaryDone: Promise<void>, cursor: Cursor): void {
    const run: Run = { ...parent.run, errors: [] };
    const part: Part = {
      label: deferred.label,
      queryPath: deferred.queryPath,
      shapedBy: deferred.subselection !== undefined ? { key: deferred, subselection: deferred.subselection } : undefined,
      parent,
      run,
      delivered: signal(),
    };
    this.parts.set(run, part);
    this.pending++;
    void (async () => {
      try {
        // Its dependencies (fetches of the primary), or the whole primary; a dependency that
        // never runs (a Flatten over no data) is over when the primary is.
        const ready = deferred.depends.length > 0 ? Promise.all(deferred.depends.map(({ id }) => this.fetchSignal(id).promise)) : primaryDone;
        await Promise.race([ready, primaryDone]);
        if (deferred.node) await executeNode(run, deferred.node, cursor);
      } catch (error) {
        run.errors.push(error as Error);
      }
      await primaryDone;
      await parent.delivered.promise;
      this.deliver(part);
    })();
  }

  private deliver(part: Part): void {
    try {
      this.queue.push(...this.itemsOf(part));
    } catch (error) {
      const message = error instanceof Error ? error.message : 'Unexpected error during query plan execution';
      this.queue.push({ data: null, path: [], ...(part.label !== undefined ? { label: part.label } : {}), errors: [new GraphQLError(message)] });
    }
    this.pending--;
    part.delivered.resolve();
    this.wake.resolve();
  }

  private async *subsequent(): AsyncGenerator<SubsequentIncrementalResult> {
    for (;;) {
      if (this.queue.length === 0 && this.pending > 0) {
        await this.wake.promise;
        this.wake = signal();
      }
      const incremental = this.queue.splice(0);
      const hasNext = this.pending > 0;
      if (incremental.length > 0) yield { incremental, hasNext };
      else if (!hasNext) yield { hasNext };
      if (!hasNext) return;
    }
  }

  /** The items of a part: its subselection shaped at each place its query path reaches. */
  private itemsOf(part: Part): IncrementalDeferResult[] {
    const shape = part.shapedBy ? this.shapeOf(part) : null;
    const places: Place[] = [];
    const stops: (string | number)[][] = [];
    placesAt(this.data, part.queryPath, 0, [], places, stops, this.operation.schema());
    const fetchErrors = part.run.errors.map(asGraphQLError);
    const label = part.label !== undefined ? { label: part.label } : {};
    const items = places.map(({ path, value }): IncrementalDeferResult & { errors: GraphQLError[] } => {
      if (!shape) return { data: {}, path, ...label, errors: [] };
      const shaped = shapeWith(part.run, shape, value);
      const item: IncrementalDeferResult & { errors: GraphQLError[] } = { data: shaped.data, path, ...label, errors: [] };
      if (fetchErrors.length === 0 && shaped.errors.length > 0) item.extensions = { valueCompletion: shaped.errors.map((e) => under(path, e)) };
      return item;
    });
    for (const error of fetchErrors) {
      const errorPath = error.path;
      const item = (errorPath && items.find((candidate) => startsWith(errorPath, candidate.path))) ?? items[0];
      if (item) item.errors.push(error);
    }
    // No place to deliver at (the fragment's parent is null): the errors still reach the client, at that null.
    if (items.length === 0 && fetchErrors.length > 0) items.push({ data: null, path: stops[0] ?? [], ...label, errors: fetchErrors });
    return items.map(({ errors, ...item }) => (errors.length > 0 ? { ...item, errors } : item));
  }

  /** A part's compiled subselection (cached with its plan node), or null when it selects nothing. */
  private shapeOf(part: Part): CompiledShape | null {
    const { key, subselection } = part.shapedBy!;
    const schema = this.context.apiSchema;
    let bySchema = shapesByNode.get(key);
    if (!bySchema) shapesByNode.set(key, (bySchema = new WeakMap()));
    let shape = bySchema.get(schema);
    if (shape === undefined) {
      shape = subselection ? compileSubselection(this.operation, part.queryPath, subselection) : null;
      bySchema.set(schema, shape);
    }
    return shape;
  }
}

const shapesByNode = new WeakMap<object, WeakMap<Schema, CompiledShape | null>>();

/**
 * A subselection of the plan (printed relative to the type at `queryPath`) compiled as a
 * shape whose root is that type, so that `shapeResponse` shapes one object of the response.
 */
function compileSubselection(operation: Operation, queryPath: string[], subselection: string): CompiledShape {
  const parentType = typeAtPath(operation, queryPath);
  const selectionSet = parseSelectionSet({
    parentType,
    source: subselection,
    variableDefinitions: operation.variableDefinitions,
    fragments: operation.fragments,
    validate: false,
  });
  const compiled = compileShape(new Operation(operation.schema(), 'query', selectionSet, operation.variableDefinitions, operation.fragments));
  return { ...compiled, rootType: parentType };
}

/**
 * The type at a plan's query path: response names (aliases resolved through the client's
 * operation) and `... on T` conditions.
 */
function typeAtPath(operation: Operation, queryPath: string[]): CompositeType {
  const schema = operation.schema();
  let type = schema.schemaDefinition.rootType(operation.rootKind) as CompositeType;
  let sets: SelectionSet[] = [operation.selectionSet];
  for (const element of queryPath) {
    if (element.startsWith('... on ')) {
      const condition = schema.type(element.slice('... on '.length));
      if (!condition || !isCompositeType(condition)) throw new Error(`Unknown type in query path ${queryPath.join('/')}`);
      type = condition;
      continue;
    }
    const fields = sets.flatMap((set) => fieldsNamed(set, element));
    const named = fields[0] && baseType(fields[0].element.definition.type!);
    if (!named || !isCompositeType(named)) throw new Error(`No composite field "${element}" in query path ${queryPath.join('/')}`);
    type = named;
    sets = fields.flatMap((field) => (field.selectionSet ? [field.selectionSet] : []));
  }
  return type;
}

/** The field selections of `set` with response name `name`, through its fragments. */
function fieldsNamed(set: SelectionSet, name: string): FieldSelection[] {
  const found: FieldSelection[] = [];
  for (const selection of set.selections()) {
    if (selection.kind === 'FieldSelection') {
      if (selection.element.responseName() === name) found.push(selection);
    } else {
      found.push(...fieldsNamed(selection.selectionSet, name));
    }
  }
  return found;
}

interface Place {
  path: (string | number)[];
  value: Record<string, unknown>;
}

/**
 * Every place a query path reaches in the data (lists crossed element by element, `... on T`
 * kept where the object's `__typename` is of T); `stops` gets the places where it met a null.
 */
function placesAt(
  value: unknown,
  queryPath: string[],
  from: number,
  prefix: (string | number)[],
  into: Place[],
  stops: (string | number)[][],
  schema: Schema,
): void {
  if (value === null || value === undefined) {
    stops.push(prefix.slice());
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((element, i) => {
      prefix.push(i);
      placesAt(element, queryPath, from, prefix, into, stops, schema);
      prefix.pop();
    });
    return;
  }
  if (typeof value !== 'object') return;
  const object = value as Record<string, unknown>;
  if (from === queryPath.length) {
    into.push({ path: prefix.slice(), value: object });
    return;
  }
  const element = queryPath[from];
  if (element.startsWith('... on ')) {
    if (isOfType(object, element.slice('... on '.length), schema)) placesAt(object, queryPath, from + 1, prefix, into, stops, schema);
    return;
  }
  if (!Object.prototype.hasOwnProperty.call(object, element)) return;
  prefix.push(element);
  placesAt(object[element], queryPath, from + 1, prefix, into, stops, schema);
  prefix.pop();
}

function isOfType(object: Record<string, unknown>, condition: string, schema: Schema): boolean {
  const typename = object.__typename;
  if (typeof typename !== 'string' || typename === condition) return true;
  const type = schema.type(typename);
  const conditionType = schema.type(condition);
  return !!type && !!conditionType && isCompositeType(type) && isCompositeType(conditionType) && isSubtype(conditionType, type);
}

/**
 * Errors ready to be written as they are: a fetch that threw (a network error) is kept by the
 * executor as the thrown `Error`, which Apollo Server formats for a single result; payloads
 * after the first reach no such formatter.
 */
function asGraphQLError(error: Error): GraphQLError {
  return error instanceof GraphQLError ? error : new GraphQLError(error.message, { originalError: error });
}

function asDelivered(result: ExecutionResult): ExecutionResult {
  return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
}

function startsWith(path: readonly (string | number)[], prefix: readonly (string | number)[]): boolean {
  return prefix.length <= path.length && prefix.every((element, i) => path[i] === element);
}

/** An error of value completion, found relative to an item, at its place in the response. */
function under(prefix: (string | number)[], error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, { path: [...prefix, ...(error.path ?? [])], extensions: error.extensions, originalError: error.originalError });
}
