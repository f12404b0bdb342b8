import {
  buildASTSchema,
  getArgumentValues,
  getVariableValues,
  parse,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
} from 'graphql';
import { analyzeOperation, type OperationShape, type ProtectedField } from './analyze';
import { completeResponse } from './complete';
import { filterOperation } from './filter';
import { resolveAuthDirectiveNames } from './links';
import { planRemovals, type RemovalPlan } from './removal-plan';
import { evaluateRequirement, RequirementIndex, type Denial } from './requirements';
import type {
  AuthorizationDecision,
  Authorizer,
  AuthorizeInput,
  Caller,
  CompletedResult,
  ExecutionResultLike,
  PolicyContext,
  PolicyRegistry,
} from './types';

/** Filtered documents kept per operation; past this, rarer removal combinations are rebuilt. */
const MAX_VARIANTS_PER_OPERATION = 64;

const EMPTY_ARGS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** The filtered operation for one set of removals, shared by every request that has it. */
interface Variant {
  /** Names the removals that matter (see RemovalPlan.reached); the decision's signature. */
  readonly signature: string;
  readonly document: DocumentNode;
  readonly skipExecution: boolean;
  readonly plan: RemovalPlan;
}

/** An operation shape plus its filtered variants and the decision used when nothing is removed. */
interface CachedOperation {
  readonly shape: OperationShape;
  readonly allowed: AuthorizationDecision;
  /**
   * By the signature of every refused occurrence. Several keys can share a variant: refusing a
   * field nested in an already refused one changes nothing, so it shares the outer one's plan.
   */
  readonly variants: Map<string, Variant | null>;
}

/**
 * Creates the authorizer for one supergraph. The supergraph is parsed here, once; operations are
 * analysed on first sight (cached per DocumentNode and operation name, so the gateway's parsed
 * document cache makes repeat requests cheap) and filtered documents are cached per signature.
 *
 * A supergraph that links none of the authorization specs gets an authorizer that allows
 * everything without looking at the operation.
 */
export function createAuthorizer<C extends Caller = Caller>(
  supergraphSdl: string,
  policies: PolicyRegistry<C>,
): Authorizer<C> {
  const supergraph = parse(supergraphSdl, { noLocation: true });
  const names = resolveAuthDirectiveNames(supergraph);
  if (!names) return { authorize: ({ document }) => allowedDecision(document) };

  const schema = buildASTSchema(supergraph, { assumeValidSDL: true });
  const requirements = new RequirementIndex(schema, names);
  const operations = new WeakMap<DocumentNode, Map<string | null, CachedOperation>>();

  const cachedOperation = (document: DocumentNode, operationName: string | null): CachedOperation => {
    let byName = operations.get(document);
    if (!byName) operations.set(document, (byName = new Map()));
    let cached = byName.get(operationName);
    if (!cached) {
      cached = {
        shape: analyzeOperation(schema, requirements, document, operationName),
        allowed: allowedDecision(document),
        variants: new Map(),
      };
      byName.set(operationName, cached);
    }
    return cached;
  };

  return {
    authorize(input) {
      const cached = cachedOperation(input.document, input.operationName ?? null);
      const { shape } = cached;
      if (shape.protectedFields.length === 0) return cached.allowed;

      const caller = input.caller;
      const request = new RequestVariables(schema, shape, input.variables ?? {});
      let denials: Array<Denial | undefined> | undefined;
      let signature = '';
      for (const field of shape.protectedFields) {
        const denial = evaluateRequirement(field.requirement, field.coordinate, caller, policies, () =>
          policyContext(field, caller, request),
        );
        if (!denial) continue;
        (denials ??= [])[field.index] = denial;
        signature = signature === '' ? field.label : `${signature},${field.label}`;
      }
      if (!denials) return cached.allowed;

      const variant = variantFor(schema, cached, signature, denials);
      // Null: no operation to filter (execution reports that) or nothing refused is reachable.
      if (!variant) return cached.allowed;
      const context = {
        plan: variant.plan,
        skipExecution: variant.skipExecution,
        denials,
        variables: () => request.coerced(),
      };
      return {
        document: variant.document,
        signature: variant.signature,
        skipExecution: variant.skipExecution,
        complete: (result: ExecutionResultLike) => completeResponse(context, result),
      };
    },
  };
}

function variantFor(
  schema: GraphQLSchema,
  cached: CachedOperation,
  signature: string,
  denials: readonly (Denial | undefined)[],
): Variant | null {
  const existing = cached.variants.get(signature);
  if (existing !== undefined) return existing;
  const variant = buildVariant(schema, cached, denials);
  if (cached.variants.size < MAX_VARIANTS_PER_OPERATION) cached.variants.set(signature, variant);
  return variant;
}

function buildVariant(schema: GraphQLSchema, cached: CachedOperation, denials: readonly (Denial | undefined)[]): Variant | null {
  const { shape } = cached;
  if (!shape.operation) return null;
  const removed = new Map<FieldNode, number>();
  for (const field of shape.protectedFields) if (denials[field.index]) removed.set(field.node, field.index);
  const plan = planRemovals(schema, shape, removed);
  if (!plan || plan.reached.size === 0) return null;
  const signature = shape.protectedFields
    .filter((field) => plan.reached.has(field.node))
    .map((field) => field.label)
    .join(',');
  // Same effective removals as a variant built for another key: share it, so the gateway sees
  // one document (and one plan) for them.
  for (const other of cached.variants.values()) if (other?.signature === signature) return other;
  const filtered = filterOperation(shape, shape.operation, plan.reached, plan.runtimeTypeAt);
  return { signature, document: filtered.document, skipExecution: filtered.skipExecution, plan };
}

/** The decision that changes nothing: the document itself, and a completion that passes through. */
function allowedDecision(document: DocumentNode): AuthorizationDecision {
  return { document, signature: '', skipExecution: false, complete: passThrough };
}

function passThrough(result: ExecutionResultLike): CompletedResult {
  const data = result.data ?? null;
  return result.errors ? { data, errors: [...result.errors] } : { data };
}

function policyContext<C extends Caller>(field: ProtectedField, caller: C | null, request: RequestVariables): PolicyContext<C> {
  return {
    caller,
    typeName: field.parentType.name,
    fieldName: field.node.name.value,
    args: field.node.arguments?.length ? argumentValues(field, request) : EMPTY_ARGS,
  };
}

function argumentValues(field: ProtectedField, request: RequestVariables): Record<string, unknown> {
  try {
    return getArgumentValues(field.field, field.node, request.coerced());
  } catch {
    // Arguments that cannot be coerced fail validation before execution anyway; the policy
    // still gets a decision to make, on what could be read.
    return EMPTY_ARGS;
  }
}

/** The request's variables, coerced (with defaults) only if a policy or `@skip`/`@include` needs them. */
class RequestVariables {
  private value: Record<string, unknown> | undefined;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly shape: OperationShape,
    private readonly raw: Record<string, unknown>,
  ) {}

  coerced(): Record<string, unknown> {
    if (!this.value) {
      const result = getVariableValues(this.schema, this.shape.operation?.variableDefinitions ?? [], this.raw);
      this.value = result.coerced ?? this.raw;
    }
    return this.value;
  }
}
