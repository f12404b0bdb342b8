import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { EntityRef } from '../fetch/cache-invalidation-map';

/**
 * The tags of a cached response (response-cache.ts): what domain events must invalidate it.
 * Events name the entities they change (fetch/cache-invalidation-map.ts) by type and id, and
 * each one invalidates two tags:
 *
 * - `Type:id` — a response holding that entity (an object of the type with its `id` selected);
 * - `Type:*` — a response whose answer may change with *any* entity of the type: one that holds
 *   a list of them (a `workspaces` search, a location's workspaces: a workspace created,
 *   archived or updated may join, leave or move in it — filters and order read its fields),
 *   one that holds an object of the type without its `id` (it cannot be named), and one where
 *   such an entity is null (it may be created).
 *
 * An entity type is an object type with an `id` field; a list's entity types are the first ones
 * reachable from its item type through the schema (a connection's edges' `node`), whatever the
 * selection (an empty list or a `pageInfo` alone depend on them too). Root fields count as lists
 * unless they return an entity (`workspace(id:)` is tagged by the id it holds).
 */

/** `Type:id`: a response holding this entity. */
export const entityTag = (type: string, id: string) => `${type}:${id}`;
/** `Type:*`: a response that any change to an entity of this type may change. */
export const typeTag = (type: string) => `${type}:*`;

/** The tags an event's entities invalidate: each one's own, and its type's. */
export function tagsOfEntities(entities: readonly EntityRef[]): string[] {
  const tags = new Set<string>();
  for (const { type, id } of entities) tags.add(entityTag(type, id)).add(typeTag(type));
  return [...tags];
}

const isEntityType = (type: GraphQLObjectType) => 'id' in type.getFields();

/** The first entity types reachable from `type` (itself if it is one), through fields of other types. */
const reachable = new WeakMap<GraphQLCompositeType, string[]>();
function entityTypesUnder(schema: GraphQLSchema, type: GraphQLCompositeType): string[] {
  const known = reachable.get(type);
  if (known) return known;
  const found = new Set<string>();
  const seen = new Set<string>();
  const visit = (current: GraphQLCompositeType) => {
    if (seen.has(current.name)) return;
    seen.add(current.name);
    for (const object of possibleTypes(schema, current)) {
      if (isEntityType(object)) {
        found.add(object.name);
        continue;
      }
      if (object !== current) seen.add(object.name);
      for (const field of Object.values(object.getFields())) {
        const named = getNamedType(field.type);
        if (isCompositeType(named)) visit(named);
      }
    }
  };
  visit(type);
  const types = [...found];
  reachable.set(type, types);
  return types;
}

function possibleTypes(schema: GraphQLSchema, type: GraphQLCompositeType): readonly GraphQLObjectType[] {
  return isAbstractType(type) ? schema.getPossibleTypes(type) : [type];
}

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/**
 * The tags of `data`, the response of `operation` (a query, validated against `schema`), by
 * walking the response along the operation's selections and the schema's types.
 */
export function responseTags(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  data: Record<string, unknown>,
): string[] {
  const tags = new Set<string>();
  const tagTypes = (types: readonly string[]) => types.forEach((name) => tags.add(typeTag(name)));
  const root = schema.getQueryType();
  if (!root) return [];

  /** The fields of `selectionSet` that apply to `type`, by response key (fragments whose condition `type` satisfies). */
  const collect = (type: GraphQLObjectType, selectionSet: SelectionSetNode, into: Map<string, FieldNode[]>, visited: Set<string>) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        into.set(key, [...(into.get(key) ?? []), selection]);
        continue;
      }
      let condition: string | undefined;
      let inner: SelectionSetNode;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        condition = selection.typeCondition?.name.value;
        inner = selection.selectionSet;
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || visited.has(fragment.name.value)) continue;
        visited.add(fragment.name.value);
        condition = fragment.typeCondition.name.value;
        inner = fragment.selectionSet;
      }
      if (condition && !applies(type, condition)) continue;
      collect(type, inner, into, visited);
    }
  };
  const applies = (type: GraphQLObjectType, condition: string) => {
    if (condition === type.name) return true;
    const conditionType = schema.getType(condition);
    return !!conditionType && isAbstractType(conditionType) && schema.isSubType(conditionType, type);
  };

  /** The object types `value` (of static type `type`) may be: its `__typename` when selected, else every possible one. */
  const runtimeTypes = (type: GraphQLCompositeType, selectionSet: SelectionSetNode, value: Record<string, unknown>): readonly GraphQLObjectType[] => {
    if (isObjectType(type)) return [type];
    const candidates = schema.getPossibleTypes(type);
    for (const candidate of candidates) {
      const fields = new Map<string, FieldNode[]>();
      collect(candidate, selectionSet, fields, new Set());
      for (const [key, nodes] of fields) {
        if (nodes[0].name.value !== '__typename') continue;
        const named = candidates.find((c) => c.name === value[key]);
        if (named) return [named];
      }
    }
    return candidates;
  };

  const visitObject = (type: GraphQLObjectType, selectionSet: SelectionSetNode, value: Record<string, unknown>) => {
    const fields = new Map<string, FieldNode[]>();
    collect(type, selectionSet, fields, new Set());
    if (isEntityType(type)) {
      const idKey = [...fields].find(([, nodes]) => nodes[0].name.value === 'id')?.[0];
      const id = idKey === undefined ? undefined : value[idKey];
      tags.add(typeof id === 'string' || typeof id === 'number' ? entityTag(type.name, String(id)) : typeTag(type.name));
    }
    for (const [key, nodes] of fields) visitField(type, key, nodes, value[key], type === root);
  };

  const visitField = (parent: GraphQLObjectType, key: string, nodes: FieldNode[], value: unknown, atRoot: boolean) => {
    const field = parent.getFields()[nodes[0].name.value];
    if (!field) return;
    const named = getNamedType(field.type);
    if (!isCompositeType(named)) return;
    const entityOnly = !isList(field.type) && possibleTypes(schema, named).every(isEntityType);
    // A list (or a root field that is no entity, a connection) depends on every entity it could hold.
    if (isList(field.type) || (atRoot && !entityOnly)) tagTypes(entityTypesUnder(schema, named));
    // A missing entity may come to exist.
    if (value === null || value === undefined) return tagTypes(entityTypesUnder(schema, named));
    const selectionSet: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: nodes.flatMap((node) => node.selectionSet?.selections ?? []) };
    const visitValue = (item: unknown): void => {
      if (Array.isArray(item)) return item.forEach(visitValue);
      if (item === null || typeof item !== 'object') return tagTypes(entityTypesUnder(schema, named));
      for (const type of runtimeTypes(named, selectionSet, item as Record<string, unknown>)) visitObject(type, selectionSet, item as Record<string, unknown>);
    };
    visitValue(value);
  };

  visitObject(root, operation.selectionSet, data);
  return [...tags].sort();
}
