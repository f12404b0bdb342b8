import {
  Kind,
  parse,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type SelectionSetNode,
} from 'graphql';

type Path = (string | number)[];

/** A field a subgraph fetch asks for, at the path its answer would hold it under (`['me']`, `['_entities', 3, 'stats']`). */
export interface FetchField {
  path: Path;
  node: FieldNode;
}

/**
 * At most this many errors stand for one failed fetch: an entity fetch of a long list fails
 * at every entity's fields, and an outage's answer must not grow with the data. The first
 * ones name the fields; the rest of them are null all the same.
 */
export const MAX_ERRORS_PER_FETCH = 100;

const responseKey = (field: FieldNode) => field.alias?.value ?? field.name.value;

/** The fields of a selection set as they apply to an object of type `typename` (every branch when it is unknown). */
function collectFields(set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, typename: string | undefined, into: FieldNode[] = []) {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) into.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const on = selection.typeCondition?.name.value;
      if (!on || !typename || on === typename) collectFields(selection.selectionSet, fragments, typename, into);
    } else {
      const fragment = fragments.get(selection.name.value);
      if (fragment && (!typename || fragment.typeCondition.name.value === typename)) collectFields(fragment.selectionSet, fragments, typename, into);
    }
  }
  return into;
}

/**
 * The fields a subgraph fetch (`document`, as the query planner wrote it) would have
 * provided: its root fields, or for an entity fetch each representation's fields under
 * `_entities` — the paths @apollo/gateway maps to the client's response (`['_entities', 3,
 * 'stats']` becomes `['workspaces', 'edges', 3, 'node', 'stats']`).
 */
export function fetchFields(document: DocumentNode, variables: Record<string, unknown> | undefined): FetchField[] {
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) return [];
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const fields: FetchField[] = [];
  const seen = new Set<string>();
  const add = (path: Path, node: FieldNode) => {
    const key = JSON.stringify(path);
    if (node.name.value === '__typename' || seen.has(key)) return;
    seen.add(key);
    fields.push({ path, node });
  };
  const representations = variables?.representations;
  for (const root of collectFields(operation.selectionSet, fragments, undefined)) {
    if (root.name.value === '_entities' && Array.isArray(representations)) {
      representations.forEach((representation, index) => {
        const typename = (representation as { __typename?: unknown } | null)?.__typename;
        const inner = collectFields(root.selectionSet, fragments, typeof typename === 'string' ? typename : undefined);
        for (const field of inner.length ? inner : collectFields(root.selectionSet, fragments, undefined)) {
          add([responseKey(root), index, responseKey(field)], field);
        }
      });
    } else add([responseKey(root)], root);
  }
  return fields;
}

/** Offsets in `text` of each line's start: GraphQL locations are 1-based line and column. */
const lineStarts = (text: string) => {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
};

/**
 * The fields an error of the whole fetch (no `path`) is about: the field whose text holds
 * the error's location (a literal argument a scalar refused), the fields using the variable
 * whose definition holds it (a variable's value refused), or else every field.
 */
function fieldsOf(error: GraphQLFormattedError, fields: FetchField[], document: DocumentNode, starts: number[]): FetchField[] {
  const offsets = (error.locations ?? []).map(({ line, column }) => (starts[line - 1] ?? 0) + column - 1);
  const within = (node: { loc?: { start: number; end: number } }, offset: number) => !!node.loc && node.loc.start <= offset && offset < node.loc.end;
  const direct = fields.filter((f) => offsets.some((offset) => within(f.node, offset)));
  if (direct.length) return direct;
  const variables = new Set<string>();
  visit(document, {
    VariableDefinition(node) {
      if (offsets.some((offset) => within(node, offset))) variables.add(node.variable.name.value);
    },
  });
  if (variables.size) {
    const using = fields.filter((f) => {
      let uses = false;
      visit(f.node, {
        Variable(node) {
          if (variables.has(node.name.value)) uses = true;
        },
      });
      return uses;
    });
    if (using.length) return using;
  }
  return fields;
}

/**
 * Gives errors of a whole fetch (a subgraph that could not be reached, or that refused the
 * request: errors without a `path`) the paths of the fields they cost, so clients see where
 * data is missing and why, and GraphQL nulls only what the schema forces. Errors that have a
 * path keep it. Locations are dropped: they point into the subgraph's operation, not the client's.
 */
export function placeErrors(query: string, variables: Record<string, unknown> | undefined, errors: GraphQLFormattedError[]): GraphQLFormattedError[] {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    return errors;
  }
  const fields = fetchFields(document, variables);
  const starts = lineStarts(query);
  const placed: GraphQLFormattedError[] = [];
  for (const { locations: _locations, ...error } of errors) {
    if (error.path || fields.length === 0) {
      placed.push(error);
      continue;
    }
    for (const field of fieldsOf({ ...error, locations: _locations }, fields, document, starts)) {
      if (placed.length >= MAX_ERRORS_PER_FETCH) return placed;
      placed.push({ ...error, path: field.path });
    }
  }
  return placed.slice(0, MAX_ERRORS_PER_FETCH);
}
