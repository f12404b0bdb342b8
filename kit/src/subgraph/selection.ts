import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * What a connection field's nodes are read for: the names of the fields selected under
 * `edges { node { … } }` of the field being resolved (fragments followed, `@skip`/`@include`
 * ignored: a superset), each field resolver's name replaced by what it `reads` of its
 * parent. `findPage`'s `fields` takes it: a page then selects those columns only (plus its
 * keys and order), not every column of the entity — a 20-row page of catalog's `workspaces`
 * parsed 13 columns for the 3 the benchmark asks (docs/benchmarks.md, "Issue 14").
 *
 * A name that is not one of the entity's properties (a getter, a field resolver not in
 * `reads`) makes `findPage` read every column: nothing is ever left out that a field may
 * need. A field resolver whose name *is* a property and reads other properties must say so
 * in `reads`; a row of a partial page throws when an unselected property is read, so a
 * missing declaration fails loudly, never with a silent `undefined`.
 */
export function nodeFields(info: GraphQLResolveInfo, reads: Readonly<Record<string, readonly string[]>> = {}): string[] {
  const names = new Set<string>();
  const fieldsOf = (set: SelectionSetNode | undefined, visit: (name: string, set: SelectionSetNode | undefined) => void) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) visit(selection.name.value, selection.selectionSet);
      else if (selection.kind === Kind.INLINE_FRAGMENT) fieldsOf(selection.selectionSet, visit);
      else fieldsOf(info.fragments[selection.name.value]?.selectionSet, visit);
    }
  };
  for (const field of info.fieldNodes) {
    fieldsOf(field.selectionSet, (name, edges) => {
      if (name !== 'edges') return;
      fieldsOf(edges, (name, node) => {
        if (name !== 'node') return;
        fieldsOf(node, (name) => {
          if (name.startsWith('__')) return;
          for (const read of reads[name] ?? [name]) names.add(read);
        });
      });
    });
  }
  return [...names];
}
