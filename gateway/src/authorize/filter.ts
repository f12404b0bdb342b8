import {
  Kind,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { OperationShape } from './analyze';

/**
 * Response key under which the filtered document selects `__typename` where `complete` needs an
 * object's runtime type; `complete` removes it from the response again. Unusual enough not to
 * collide with a client's alias.
 */
export const RUNTIME_TYPE_KEY = '__authzRuntimeType';

const TYPENAME_FIELD: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };
const RUNTIME_TYPE_FIELD: FieldNode = {
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: RUNTIME_TYPE_KEY },
  name: { kind: Kind.NAME, value: '__typename' },
};
/** Keeps a selection set valid once everything in it was removed. */
const TYPENAME_ONLY: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: [TYPENAME_FIELD] };

/** The operation to plan and execute once the refused fields are gone. */
export interface FilteredOperation {
  /** The selected operation and the fragments it still uses; nothing else. */
  readonly document: DocumentNode;
  /** Every root field was removed: there is nothing to execute. */
  readonly skipExecution: boolean;
}

/**
 * Rewrites the selected operation without the `removed` field occurrences. A field whose
 * selection set empties keeps `__typename`; an emptied fragment goes away with its spreads;
 * `runtimeTypeAt` fields also select their runtime type. Unchanged subtrees are shared with the
 * original document. Fragments and variables the result no longer uses are dropped, so the
 * planner (and any validation) sees a clean operation.
 */
export function filterOperation(
  shape: OperationShape,
  operation: OperationDefinitionNode,
  removed: ReadonlyMap<FieldNode, unknown>,
  runtimeTypeAt: ReadonlySet<FieldNode>,
): FilteredOperation {
  const filteredFragments = new Map<string, FragmentDefinitionNode | null>();

  const fragment = (name: string): FragmentDefinitionNode | null => {
    let filtered = filteredFragments.get(name);
    if (filtered === undefined) {
      filteredFragments.set(name, null); // guards against (invalid) cycles
      const original = shape.fragments.get(name);
      const selectionSet = original ? filterSelectionSet(original.selectionSet) : null;
      filtered = !original || !selectionSet ? null : selectionSet === original.selectionSet ? original : { ...original, selectionSet };
      filteredFragments.set(name, filtered);
    }
    return filtered;
  };

  /** Null when nothing is left; the same object when nothing changed. */
  const filterSelectionSet = (selectionSet: SelectionSetNode): SelectionSetNode | null => {
    let selections: SelectionNode[] | undefined; // allocated at the first change
    selectionSet.selections.forEach((selection, position) => {
      let next: SelectionNode | null = selection;
      if (selection.kind === Kind.FIELD) {
        if (removed.has(selection)) {
          next = null;
        } else if (selection.selectionSet) {
          let below = filterSelectionSet(selection.selectionSet) ?? TYPENAME_ONLY;
          if (runtimeTypeAt.has(selection)) below = { ...below, selections: [...below.selections, RUNTIME_TYPE_FIELD] };
          if (below !== selection.selectionSet) next = { ...selection, selectionSet: below };
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const below = filterSelectionSet(selection.selectionSet);
        next = !below ? null : below === selection.selectionSet ? selection : { ...selection, selectionSet: below };
      } else if (!fragment(selection.name.value)) {
        next = null;
      }
      if (next !== selection && !selections) selections = selectionSet.selections.slice(0, position);
      if (selections && next) selections.push(next);
    });
    if (!selections) return selectionSet;
    return selections.length === 0 ? null : { ...selectionSet, selections };
  };

  const rootSelections = filterSelectionSet(operation.selectionSet);
  const body: OperationDefinitionNode = { ...operation, selectionSet: rootSelections ?? TYPENAME_ONLY };

  // What the rewritten operation still uses, following fragment spreads.
  const usedFragments = new Set<string>();
  const usedVariables = new Set<string>();
  const pending: Array<OperationDefinitionNode | FragmentDefinitionNode> = [body];
  while (pending.length > 0) {
    visit(pending.pop()!, {
      VariableDefinition: () => false, // a definition is not a use
      Variable(node) {
        usedVariables.add(node.name.value);
      },
      FragmentSpread(node) {
        const used = fragment(node.name.value);
        if (used && !usedFragments.has(node.name.value)) {
          usedFragments.add(node.name.value);
          pending.push(used);
        }
      },
    });
  }

  const variableDefinitions = operation.variableDefinitions?.filter((definition) =>
    usedVariables.has(definition.variable.name.value),
  );
  const definitions: Array<OperationDefinitionNode | FragmentDefinitionNode> = [{ ...body, variableDefinitions }];
  for (const name of shape.fragments.keys()) {
    if (usedFragments.has(name)) definitions.push(fragment(name)!);
  }
  return {
    document: { kind: Kind.DOCUMENT, definitions },
    skipExecution: rootSelections === null,
  };
}
