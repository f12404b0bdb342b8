/**
 * Relay-style connections for the floors, shaped like Atrium's (`connectionType` in
 * kit/src/subgraph/pagination.ts): `edges { cursor node }`, `pageInfo { hasNextPage
 * endCursor }`, `totalCount`, `first` 1..100 (default 20) and `after`. A page is one
 * statement of `first + 1` rows (the extra row only says whether there is a next page);
 * cursors are encoded only when a client reads them, `totalCount` costs a COUNT only when
 * asked, as in Atrium.
 */
import { GraphQLBoolean, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLString, type GraphQLFieldConfigArgumentMap } from 'graphql';
import { encodeCursor } from './cursor';

export interface Page<T> {
  /** The rows of the page (at most `first`). */
  rows: T[];
  hasNextPage: boolean;
  /** The ordering values of a row (its cursor, before encoding). */
  keyOf: (row: T) => (string | Date)[];
  count: () => Promise<number>;
}

/** A page from `first + 1` rows read in order. */
export function toPage<T>(rows: T[], first: number, keyOf: Page<T>['keyOf'], count: () => Promise<number>): Page<T> {
  const hasNextPage = rows.length > first;
  return { rows: hasNextPage ? rows.slice(0, first) : rows, hasNextPage, keyOf, count };
}

export const pageArgs: GraphQLFieldConfigArgumentMap = {
  first: { type: new GraphQLNonNull(GraphQLInt), defaultValue: 20, description: 'Page size, 1 to 100' },
  after: { type: GraphQLString, description: 'The endCursor of the previous page' },
};

const PageInfo = new GraphQLObjectType<Page<unknown>>({
  name: 'PageInfo',
  fields: {
    hasNextPage: { type: new GraphQLNonNull(GraphQLBoolean), resolve: (page) => page.hasNextPage },
    endCursor: {
      type: GraphQLString,
      resolve: (page) => (page.rows.length ? encodeCursor(page.keyOf(page.rows[page.rows.length - 1])) : null),
    },
  },
});

interface Edge<T> {
  node: T;
  page: Page<T>;
}

/** `<Name>Connection` and `<Name>Edge` over `node`. */
export function connectionType<T>(name: string, node: GraphQLObjectType<T>): GraphQLObjectType<Page<T>> {
  const edge = new GraphQLObjectType<Edge<T>>({
    name: `${name}Edge`,
    fields: {
      cursor: { type: new GraphQLNonNull(GraphQLString), resolve: (e) => encodeCursor(e.page.keyOf(e.node)) },
      node: { type: new GraphQLNonNull(node) },
    },
  });
  return new GraphQLObjectType<Page<T>>({
    name: `${name}Connection`,
    fields: {
      edges: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(edge))), resolve: (page) => page.rows.map((row) => ({ node: row, page })) },
      pageInfo: { type: new GraphQLNonNull(PageInfo), resolve: (page) => page },
      totalCount: { type: new GraphQLNonNull(GraphQLInt), description: 'All matching items, across pages', resolve: (page) => page.count() },
    },
  });
}
