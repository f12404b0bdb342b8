import { getDirectiveValues, GraphQLIncludeDirective, GraphQLSkipDirective, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../errors';
import { RUNTIME_TYPE_KEY } from './filter';
import type { FieldNodePlan, PlanNode, RemovalPlan } from './removal-plan';
import type { Denial } from './requirements';
import type { CompletedResult, ExecutionResultLike } from './types';

type ResponseObject = Record<string, unknown>;

/** Everything one request's completion needs besides the response. */
export interface CompletionContext {
  readonly plan: RemovalPlan;
  readonly skipExecution: boolean;
  /** Denials by protected-field index. */
  readonly denials: readonly (Denial | undefined)[];
  /** The request's coerced variables, for `@skip`/`@include`; computed on first use. */
  readonly variables: () => Record<string, unknown>;
}

/**
 * Walks the removal plan over the response: every removed occurrence that would have been
 * resolved gets `null` and one error at its concrete path (list indices included), and a
 * removed non-null field nulls its nearest nullable ancestor, as GraphQL execution would have.
 */
export function completeResponse(context: CompletionContext, result: ExecutionResultLike): CompletedResult {
  let data = result.data;
  if (data === undefined && !context.skipExecution) {
    // A request error (nothing was executed for a reason of its own): nothing to put back.
    return { data: null, ...(result.errors ? { errors: [...result.errors] } : {}) };
  }
  const walker = new Walker(context);
  if (data === undefined) data = {};
  if (data === null) {
    // Execution already nulled the whole response; still say which root fields were refused.
    walker.object({}, context.plan.rootType, context.plan.root);
  } else if (walker.object(data, context.plan.rootType, context.plan.root)) {
    data = null;
  }
  for (const object of walker.withRuntimeType) delete object[RUNTIME_TYPE_KEY];
  const errors = result.errors ? [...result.errors, ...walker.errors] : walker.errors;
  return errors.length > 0 ? { data, errors } : { data };
}

class Walker {
  readonly errors: GraphQLFormattedError[] = [];
  /** Objects carrying the injected runtime type, cleaned once the whole walk is done. */
  readonly withRuntimeType: ResponseObject[] = [];
  private readonly path: Array<string | number> = [];

  constructor(private readonly context: CompletionContext) {}

  /**
   * Walks one response object; `objectType` is its static type name, null when abstract.
   * Returns true when the object itself has to become null (a removed non-null field).
   */
  object(object: ResponseObject, objectType: string | null, nodes: readonly PlanNode[]): boolean {
    return this.selections(object, objectType ?? this.runtimeType(object), nodes);
  }

  private selections(object: ResponseObject, runtimeType: string | undefined, nodes: readonly PlanNode[]): boolean {
    let nullObject = false;
    for (const node of nodes) {
      if (node.conditional && !this.included(node.conditional)) continue;
      if (node.kind === 'fragment') {
        // Without a runtime type a conditioned fragment cannot have applied in execution either.
        if (node.appliesTo === null || (runtimeType !== undefined && node.appliesTo.has(runtimeType))) {
          nullObject = this.selections(object, runtimeType, node.children) || nullObject;
        }
      } else if (node.kind === 'removed') {
        // Present means another, authorized selection with the same response key resolved it
        // (or an earlier removed occurrence of it was already reported here).
        if (Object.prototype.hasOwnProperty.call(object, node.key)) continue;
        object[node.key] = null;
        const denial = this.context.denials[node.index];
        this.errors.push({
          message: denial?.message ?? 'Not authorized',
          path: [...this.path, node.key],
          extensions: { code: denial?.code ?? ErrorCode.FORBIDDEN },
        });
        if (node.nonNull) nullObject = true;
      } else {
        this.path.push(node.key);
        if (this.value(object[node.key], node, 0)) {
          object[node.key] = null;
          if (node.nonNull) nullObject = true;
        }
        this.path.pop();
      }
    }
    return nullObject;
  }

  /** Walks the value of `field` at list depth `depth`; returns true when it has to become null. */
  private value(value: unknown, field: FieldNodePlan, depth: number): boolean {
    if (value === null || typeof value !== 'object') return false;
    if (depth === field.lists.length) return this.object(value as ResponseObject, field.objectType, field.children);
    if (!Array.isArray(value)) return false;
    const nonNullItems = field.lists[depth];
    let nullList = false;
    // Every item is walked even once the list is lost, so each refused occurrence is reported.
    for (let index = 0; index < value.length; index++) {
      this.path.push(index);
      const nullItem = this.value(value[index], field, depth + 1);
      this.path.pop();
      if (!nullItem) continue;
      if (nonNullItems) nullList = true; // [T!]: a null item nulls the list
      else value[index] = null;
    }
    return nullList;
  }

  private runtimeType(object: ResponseObject): string | undefined {
    const injected = object[RUNTIME_TYPE_KEY];
    if (typeof injected === 'string') {
      this.withRuntimeType.push(object);
      return injected;
    }
    return typeof object.__typename === 'string' ? object.__typename : undefined;
  }

  private included(node: NonNullable<PlanNode['conditional']>): boolean {
    const variables = this.context.variables();
    if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
  }
}
