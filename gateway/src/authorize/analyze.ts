import {
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Requirement, RequirementIndex } from './requirements';

/** A field occurrence in the operation (or one of its fragments) that has a requirement. */
export interface ProtectedField {
  /** Position among the operation's protected fields, in document order. */
  readonly index: number;
  readonly node: FieldNode;
  readonly parentType: GraphQLCompositeType;
  readonly field: GraphQLField<unknown, unknown>;
  readonly requirement: Requirement;
  /** `Parent.field`, as selected (the interface when selected through one). */
  readonly coordinate: string;
  /** `Parent.field#index`: names this occurrence in decision signatures. */
  readonly label: string;
}

/** What authorization needs to know about one operation of one document, caller-independent. */
export interface OperationShape {
  readonly document: DocumentNode;
  /** Undefined when the document has no operation by that name (execution will report it). */
  readonly operation: OperationDefinitionNode | undefined;
  /** The fragments the operation uses, transitively. */
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly protectedFields: readonly ProtectedField[];
}

/**
 * Finds every protected field occurrence the selected operation can reach, typing each one with
 * graphql-js `TypeInfo` against the supergraph schema. Done once per document and operation
 * name; per request only the requirements found here are evaluated.
 */
export function analyzeOperation(
  schema: GraphQLSchema,
  requirements: RequirementIndex,
  document: DocumentNode,
  operationName: string | null,
): OperationShape {
  const operation = selectOperation(document, operationName);
  const fragments = operation ? reachableFragments(document, operation.selectionSet) : new Map<string, FragmentDefinitionNode>();
  const protectedFields: ProtectedField[] = [];
  if (operation) {
    const typeInfo = new TypeInfo(schema);
    const visitor = visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parentType = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        // Unknown fields are left to validation, which rejects the operation anyway.
        if (!parentType || !field) return;
        const requirement = requirements.forField(parentType, node.name.value);
        if (!requirement) return;
        const index = protectedFields.length;
        const coordinate = `${parentType.name}.${node.name.value}`;
        protectedFields.push({ index, node, parentType, field, requirement, coordinate, label: `${coordinate}#${index}` });
      },
    });
    // Fragment definitions are visited on their own: TypeInfo types them from their type
    // condition, and each is analysed once however many times it is spread.
    visit(operation, visitor);
    for (const fragment of fragments.values()) visit(fragment, visitor);
  }
  return { document, operation, fragments, protectedFields };
}

/** The operation graphql-js would execute: the named one, or the only one. */
function selectOperation(document: DocumentNode, operationName: string | null): OperationDefinitionNode | undefined {
  let found: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operationName === null) {
      if (found) return undefined; // ambiguous: execution refuses it
      found = definition;
    } else if (definition.name?.value === operationName) {
      return definition;
    }
  }
  return found;
}

/** Fragment definitions reachable from a selection set, in document order. */
function reachableFragments(document: DocumentNode, root: SelectionSetNode): Map<string, FragmentDefinitionNode> {
  const all = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) all.set(definition.name.value, definition);
  }
  const used = new Set<string>();
  const pending: SelectionSetNode[] = [root];
  while (pending.length > 0) {
    visit(pending.pop()!, {
      FragmentSpread(node) {
        const name = node.name.value;
        const fragment = all.get(name);
        if (used.has(name) || !fragment) return;
        used.add(name);
        pending.push(fragment.selectionSet);
      },
    });
  }
  const reachable = new Map<string, FragmentDefinitionNode>();
  for (const [name, fragment] of all) if (used.has(name)) reachable.set(name, fragment);
  return reachable;
}
