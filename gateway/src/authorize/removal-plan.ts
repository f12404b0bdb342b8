import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentSpreadNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type SelectionSetNode,
} from 'graphql';
import type { OperationShape } from './analyze';

/** A removed field occurrence: `complete` puts back `null` and an error under `key`. */
export interface RemovedNode {
  readonly kind: 'removed';
  readonly key: string;
  /** The protected field's index in the operation shape (its denial is looked up by it). */
  readonly index: number;
  readonly nonNull: boolean;
  /** The node itself when it carries `@skip`/`@include`, to evaluate against the variables. */
  readonly conditional: FieldNode | null;
}

/** A kept field with removed fields somewhere below it. */
export interface FieldNodePlan {
  readonly kind: 'field';
  readonly key: string;
  readonly nonNull: boolean;
  /** One entry per list wrapper, outermost first: whether that list's items are non-null. */
  readonly lists: readonly boolean[];
  /** The object type of the values, or null when abstract (the runtime type is read from the response). */
  readonly objectType: string | null;
  readonly children: readonly PlanNode[];
  readonly conditional: FieldNode | null;
}

/** A fragment with removed fields below it. */
export interface FragmentNodePlan {
  readonly kind: 'fragment';
  /** Names of the object types the fragment applies to; null when it applies to every object here. */
  readonly appliesTo: ReadonlySet<string> | null;
  readonly children: readonly PlanNode[];
  readonly conditional: InlineFragmentNode | FragmentSpreadNode | null;
}

export type PlanNode = RemovedNode | FieldNodePlan | FragmentNodePlan;

/**
 * The original operation pruned to the paths that lead to removed fields: all `complete` has to
 * walk in the response. Cached with the filtered document, so it is built once per signature.
 */
export interface RemovalPlan {
  readonly rootType: string;
  readonly root: readonly PlanNode[];
  /**
   * Fields of abstract type under which a removed field sits in a type-conditioned fragment:
   * the filtered document selects the runtime type there (see RUNTIME_TYPE_KEY) so `complete`
   * can tell which objects the fragment applied to.
   */
  readonly runtimeTypeAt: ReadonlySet<FieldNode>;
  /**
   * The removed occurrences the response can actually contain, by protected-field index. A
   * refused field nested under another refused field is not among them: it changes nothing.
   */
  readonly reached: ReadonlyMap<FieldNode, number>;
}

interface Level {
  readonly nodes: PlanNode[];
  /** Whether a fragment at this object level has to be matched against the runtime type. */
  readonly needsRuntimeType: boolean;
}

/**
 * Builds the removal plan of one operation for a set of removed field occurrences (node →
 * protected-field index). Returns null when the operation has no root type in the schema.
 */
export function planRemovals(
  schema: GraphQLSchema,
  shape: OperationShape,
  removed: ReadonlyMap<FieldNode, number>,
): RemovalPlan | null {
  const operation = shape.operation;
  const rootType = operation && schema.getRootType(operation.operation);
  if (!operation || !rootType) return null;
  const runtimeTypeAt = new Set<FieldNode>();
  const reached = new Map<FieldNode, number>();
  // Fragments are planned once from their own type condition, wherever they are spread.
  const fragmentLevels = new Map<string, { level: Level | null; condition: GraphQLCompositeType | undefined }>();

  const level = (selectionSet: SelectionSetNode, parentType: GraphQLCompositeType): Level | null => {
    let nodes: PlanNode[] | undefined;
    let needsRuntimeType = false;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const field = fieldOf(parentType, selection.name.value);
        const conditional = hasConditions(selection) ? selection : null;
        const index = removed.get(selection);
        if (index !== undefined) {
          reached.set(selection, index);
          (nodes ??= []).push({ kind: 'removed', key, index, nonNull: !!field && isNonNullType(field.type), conditional });
          continue;
        }
        const named = field && getNamedType(field.type);
        if (!selection.selectionSet || !named || !isCompositeType(named)) continue;
        const below = level(selection.selectionSet, named);
        if (!below) continue;
        if (below.needsRuntimeType && isAbstractType(named)) runtimeTypeAt.add(selection);
        (nodes ??= []).push({ kind: 'field', ...typeFacts(field.type), key, children: below.nodes, conditional });
        continue;
      }
      let below: Level | null;
      let condition: GraphQLCompositeType | undefined;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        condition = selection.typeCondition ? compositeType(schema, selection.typeCondition.name.value) : parentType;
        below = condition ? level(selection.selectionSet, condition) : null;
      } else {
        ({ level: below, condition } = fragmentLevel(selection.name.value));
      }
      if (!below || !condition) continue;
      const applies = condition === parentType;
      needsRuntimeType ||= below.needsRuntimeType || !applies;
      (nodes ??= []).push({
        kind: 'fragment',
        appliesTo: applies ? null : possibleTypeNames(schema, condition),
        children: below.nodes,
        conditional: hasConditions(selection) ? selection : null,
      });
    }
    return nodes ? { nodes, needsRuntimeType } : null;
  };

  const fragmentLevel = (name: string): { level: Level | null; condition: GraphQLCompositeType | undefined } => {
    let planned = fragmentLevels.get(name);
    if (!planned) {
      const fragment = shape.fragments.get(name);
      const condition = fragment && compositeType(schema, fragment.typeCondition.name.value);
      fragmentLevels.set(name, { level: null, condition }); // guards against (invalid) cycles
      planned = { level: fragment && condition ? level(fragment.selectionSet, condition) : null, condition };
      fragmentLevels.set(name, planned);
    }
    return planned;
  };

  const root = level(operation.selectionSet, rootType)?.nodes ?? [];
  return { rootType: rootType.name, root, runtimeTypeAt, reached };
}

/** What `complete` needs to know about a field's type, computed once so the response walk stays cheap. */
function typeFacts(type: GraphQLOutputType): Pick<FieldNodePlan, 'nonNull' | 'lists' | 'objectType'> {
  const nonNull = isNonNullType(type);
  const lists: boolean[] = [];
  let inner: GraphQLOutputType = nonNull ? type.ofType : type;
  while (isListType(inner)) {
    const item: GraphQLOutputType = inner.ofType;
    lists.push(isNonNullType(item));
    inner = isNonNullType(item) ? item.ofType : item;
  }
  return { nonNull, lists, objectType: isObjectType(inner) ? inner.name : null };
}

function possibleTypeNames(schema: GraphQLSchema, type: GraphQLCompositeType): ReadonlySet<string> {
  return new Set(isAbstractType(type) ? schema.getPossibleTypes(type).map((possible) => possible.name) : [type.name]);
}

function fieldOf(parentType: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  return isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[name] : undefined;
}

function compositeType(schema: GraphQLSchema, name: string): GraphQLCompositeType | undefined {
  const type = schema.getType(name);
  return type && isCompositeType(type) ? type : undefined;
}

function hasConditions(node: FieldNode | InlineFragmentNode | FragmentSpreadNode): boolean {
  return !!node.directives?.some((directive) => directive.name.value === 'skip' || directive.name.value === 'include');
}
