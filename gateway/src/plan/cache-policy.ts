import {
  getNamedType,
  getOperationAST,
  isCompositeType,
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
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  let maxAge = Infinity;
  let scope: CachePolicy['scope'] = 'PUBLIC';
  const walk = (selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, parentMaxAge: number | undefined, seen: Set<string>): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType | undefined) : parentType;
        if (type) walk(selection.selectionSet, type, parentMaxAge, seen);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) continue;
        const type = schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType | undefined;
        if (type) walk(fragment.selectionSet, type, parentMaxAge, new Set([...seen, fragment.name.value]));
        continue;
      }
      const name = selection.name.value;
      if (name === '__typename') continue;
      const field = 'getFields' in parentType ? parentType.getFields()[name] : undefined;
      if (!field) continue;
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
  walk(operation.selectionSet, root, undefined, new Set());
  return maxAge === Infinity || maxAge <= 0 ? { maxAge: 0, scope } : { maxAge, scope };
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
