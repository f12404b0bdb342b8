import {
  getNamedType,
  getOperationAST,
  isCompositeType,
  isObjectType,
  Kind,
  parse,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/** A cache hint of the schema: `@cacheControl(maxAge, scope, inheritMaxAge)` on a type or field. */
export interface CacheHint {
  maxAge?: number;
  scope?: 'PUBLIC' | 'PRIVATE';
  inheritMaxAge?: boolean;
}

/** How long a whole response may be cached, and by whom. `maxAge` 0: not at all. */
export interface CachePolicy {
  maxAge: number;
  scope: 'PUBLIC' | 'PRIVATE';
}

/** The hints of a supergraph: by type name, and by `Type.field`. */
export interface CacheHints {
  types: ReadonlyMap<string, CacheHint>;
  fields: ReadonlyMap<string, CacheHint>;
}

const NOT_CACHEABLE: CachePolicy = { maxAge: 0, scope: 'PUBLIC' };

/**
 * Reads the `@cacheControl` hints the subgraphs declared (kit's `CACHE_CONTROL_DEFINITIONS`),
 * composed into the supergraph by `@composeDirective`: on types (all their definitions and
 * extensions) and on fields.
 */
export function readCacheHints(supergraphSdl: string): CacheHints {
  const types = new Map<string, CacheHint>();
  const fields = new Map<string, CacheHint>();
  for (const definition of parse(supergraphSdl, { noLocation: true }).definitions) {
    if (!('name' in definition) || !definition.name || !('directives' in definition)) continue;
    const typeName = definition.name.value;
    const typeHint = hintOf(definition.directives);
    if (typeHint) types.set(typeName, { ...types.get(typeName), ...typeHint });
    if (!('fields' in definition) || !definition.fields) continue;
    for (const field of definition.fields) {
      const fieldHint = 'directives' in field ? hintOf(field.directives) : undefined;
      if (fieldHint) fields.set(`${typeName}.${field.name.value}`, fieldHint);
    }
  }
  return { types, fields };
}

function hintOf(directives: readonly DirectiveNode[] | undefined): CacheHint | undefined {
  const directive = directives?.find((d) => d.name.value === 'cacheControl');
  if (!directive) return undefined;
  const hint: CacheHint = {};
  for (const arg of directive.arguments ?? []) {
    const value = valueFromASTUntyped(arg.value);
    if (arg.name.value === 'maxAge' && typeof value === 'number') hint.maxAge = value;
    if (arg.name.value === 'scope' && (value === 'PUBLIC' || value === 'PRIVATE')) hint.scope = value;
    if (arg.name.value === 'inheritMaxAge' && value === true) hint.inheritMaxAge = true;
  }
  return hint;
}

/**
 * The cache policy of an operation, from the hints alone, as Apollo Server computes it for a
 * monolith: the smallest max age over every field that counts, `PRIVATE` if any hint says so.
 * A field's max age is its own hint's; else, for a field returning a composite type, that
 * type's hint; a type or field with `inheritMaxAge`, and every leaf, takes its parent's; a
 * root field or composite field with no hint at all makes the response uncacheable (0).
 * Fragments count whatever their type condition and `@skip`/`@include` (the bound that holds
 * for every response the operation can give). Mutations and subscriptions are never cached.
 */
export function cachePolicy(schema: GraphQLSchema, hints: CacheHints, document: DocumentNode, operationName?: string | null): CachePolicy {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== 'query') return NOT_CACHEABLE;
  const root = schema.getQueryType();
  if (!root) return NOT_CACHEABLE;
  return finish(selectionPolicy(schema, hints, fragmentsOf(document), operation.selectionSet, root, undefined));
}

/**
 * The cache policy of each entity type an `_entities` fetch selects (the fetch stage's entity
 * cache, fetch/entity-cache.ts), by the same rules as {@link cachePolicy}: the selection
 * under `... on Type` counts as if `Type` were the root field's type — the type's own hint
 * gives the max age its fields inherit, and a type without one is not cached. A field the
 * API schema does not know (an `@inaccessible` one, say) makes its type uncacheable. An
 * empty map: not an `_entities` query, or nothing in it cacheable.
 */
export function entityFetchPolicies(schema: GraphQLSchema, hints: CacheHints, document: DocumentNode): Map<string, CachePolicy> {
  const policies = new Map<string, CachePolicy>();
  const operation = getOperationAST(document);
  if (!operation || operation.operation !== 'query') return policies;
  const fragments = fragmentsOf(document);
  const entities = operation.selectionSet.selections;
  if (entities.length !== 1 || entities[0].kind !== Kind.FIELD || entities[0].name.value !== '_entities' || !entities[0].selectionSet) return policies;
  // By type: what each type's fragments select (a type may appear in several).
  const byType = new Map<string, SelectionSetNode[]>();
  let untyped = false;
  const collect = (selectionSet: SelectionSetNode, seen: Set<string>) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== '__typename') untyped = true;
        continue;
      }
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
      if (!fragment || (selection.kind === Kind.FRAGMENT_SPREAD && seen.has(selection.name.value))) continue;
      const typeName = fragment.typeCondition?.name.value;
      if (!typeName) {
        collect(fragment.selectionSet, seen);
        continue;
      }
      byType.set(typeName, [...(byType.get(typeName) ?? []), fragment.selectionSet]);
    }
  };
  collect(entities[0].selectionSet, new Set());
  if (untyped) return policies; // a field outside any type condition: not a shape the planner writes
  for (const [typeName, selectionSets] of byType) {
    const type = schema.getType(typeName);
    const typeHint = hints.types.get(typeName);
    if (!type || !isObjectType(type) || typeHint?.maxAge === undefined || typeHint.maxAge <= 0) continue;
    let policy: CachePolicy = { maxAge: typeHint.maxAge, scope: typeHint.scope ?? 'PUBLIC' };
    for (const selectionSet of selectionSets) {
      const part = selectionPolicy(schema, hints, fragments, selectionSet, type, typeHint.maxAge, true);
      policy = { maxAge: Math.min(policy.maxAge, part.maxAge), scope: policy.scope === 'PRIVATE' || part.scope === 'PRIVATE' ? 'PRIVATE' : 'PUBLIC' };
    }
    const finished = finish(policy);
    if (finished.maxAge > 0) policies.set(typeName, finished);
  }
  return policies;
}

/**
 * The cache policy of a root query fetch (the fetch stage's root cache, fetch/root-cache.ts):
 * a fetch of a query's root fields — no `_entities` — by the same rules as
 * {@link cachePolicy}, except that a field the API schema does not know (an `@inaccessible`
 * one, say) makes the fetch uncacheable, since its hint cannot be read. Scope is reported but
 * the root cache keys every answer by its caller whatever it says.
 */
export function rootFetchPolicy(schema: GraphQLSchema, hints: CacheHints, document: DocumentNode): CachePolicy {
  const operation = getOperationAST(document);
  if (!operation || operation.operation !== 'query') return NOT_CACHEABLE;
  const root = schema.getQueryType();
  if (!root) return NOT_CACHEABLE;
  const fields = operation.selectionSet.selections;
  if (fields.some((selection) => selection.kind === Kind.FIELD && selection.name.value === '_entities')) return NOT_CACHEABLE;
  return finish(selectionPolicy(schema, hints, fragmentsOf(document), operation.selectionSet, root, undefined, true));
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return fragments;
}

function finish(policy: CachePolicy): CachePolicy {
  return policy.maxAge === Infinity || policy.maxAge <= 0 ? { maxAge: 0, scope: policy.scope } : policy;
}

/**
 * The smallest max age and the widest scope over the fields of `selectionSet` (on
 * `parentType`, whose max age is `parentMaxAge`). With `strict`, a field the schema does not
 * know counts as uncacheable (a subgraph fetch may select one; a client operation, validated,
 * never does).
 */
function selectionPolicy(
  schema: GraphQLSchema,
  hints: CacheHints,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  selectionSet: SelectionSetNode,
  parentType: GraphQLCompositeType,
  parentMaxAge: number | undefined,
  strict = false,
): CachePolicy {
  let maxAge = Infinity;
  let scope: CachePolicy['scope'] = 'PUBLIC';
  const walk = (selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, parentMaxAge: number | undefined, seen: Set<string>): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType | undefined) : parentType;
        if (type) walk(selection.selectionSet, type, parentMaxAge, seen);
        else if (strict) maxAge = 0;
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) continue;
        const type = schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType | undefined;
        if (type) walk(fragment.selectionSet, type, parentMaxAge, new Set([...seen, fragment.name.value]));
        else if (strict) maxAge = 0;
        continue;
      }
      const name = selection.name.value;
      if (name === '__typename') continue;
      const field = 'getFields' in parentType ? parentType.getFields()[name] : undefined;
      if (!field) {
        if (strict) maxAge = 0;
        continue;
      }
      const fieldType = getNamedType(field.type);
      const fieldHint = hints.fields.get(`${parentType.name}.${name}`);
      const typeHint = isCompositeType(fieldType) ? hints.types.get(fieldType.name) : undefined;
      if (fieldHint?.scope === 'PRIVATE' || typeHint?.scope === 'PRIVATE') scope = 'PRIVATE';
      // The field's own hint wins over its type's; a leaf takes its parent's.
      let fieldMaxAge: number | undefined;
      if (fieldHint?.maxAge !== undefined) fieldMaxAge = fieldHint.maxAge;
      else if (fieldHint?.inheritMaxAge) fieldMaxAge = parentMaxAge;
      else if (typeHint?.maxAge !== undefined) fieldMaxAge = typeHint.maxAge;
      else if (typeHint?.inheritMaxAge || !isCompositeType(fieldType)) fieldMaxAge = parentMaxAge;
      // A root field or composite field with no hint (and nothing to inherit): the response is uncacheable.
      maxAge = Math.min(maxAge, fieldMaxAge ?? 0);
      if (selection.selectionSet && isCompositeType(fieldType)) walk(selection.selectionSet, fieldType, fieldMaxAge, seen);
    }
  };
  walk(selectionSet, parentType, parentMaxAge, new Set());
  return { maxAge, scope };
}

/**
 * The `Cache-Control` header of a response: `max-age=N, public` only for an anonymous
 * request whose every hint is PUBLIC (a shared cache must never keep what was computed with
 * someone's credentials, so a caller's response is `private` at most); `no-store` for
 * anything uncacheable, with errors, or not a query.
 */
export function cacheControlHeader(policy: CachePolicy, options: { anonymous: boolean; errors: boolean }): string {
  if (policy.maxAge <= 0 || options.errors) return 'no-store';
  return `max-age=${policy.maxAge}, ${policy.scope === 'PUBLIC' && options.anonymous ? 'public' : 'private'}`;
}
