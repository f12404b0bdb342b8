import { buildSchema, parse, type GraphQLResolveInfo, type OperationDefinitionNode, type FieldNode, type FragmentDefinitionNode } from 'graphql';
import { nodeFields } from './selection';

/** The resolve info of the query's first root field (what `nodeFields` reads of it). */
function infoOf(query: string): GraphQLResolveInfo {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const fragments = Object.fromEntries(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((d) => [d.name.value, d]));
  return { fieldNodes: [operation.selectionSet.selections[0] as FieldNode], fragments } as unknown as GraphQLResolveInfo;
}

// The schema these queries are written against (checked, so that the cases stay valid GraphQL).
const schema = buildSchema(`
  type Query { items(first: Int): ItemConnection }
  type ItemConnection { edges: [ItemEdge!]! pageInfo: PageInfo! }
  type ItemEdge { cursor: String! node: Item! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type Item { id: ID! name: String! owner: String price: Int }
`);

describe('nodeFields', () => {
  it('names the fields selected under edges.node, not the connection\'s or the edge\'s own', () => {
    expect(schema.getType('Item')).toBeDefined();
    expect(nodeFields(infoOf('{ items(first: 2) { pageInfo { hasNextPage } edges { cursor node { __typename id name } } } }'))).toEqual(['id', 'name']);
  });

  it('follows inline fragments and named fragments', () => {
    const query = '{ items { edges { node { id ... on Item { name } ...Owned } } } } fragment Owned on Item { owner }';
    expect(nodeFields(infoOf(query))).toEqual(['id', 'name', 'owner']);
  });

  it('replaces a field resolver by what it reads', () => {
    expect(nodeFields(infoOf('{ items { edges { node { id owner price } } } }'), { owner: ['ownerId'], price: ['amount', 'currency'] })).toEqual(['id', 'ownerId', 'amount', 'currency']);
  });

  it('counts a field selected under @skip or @include (a superset is safe)', () => {
    expect(nodeFields(infoOf('query ($s: Boolean!) { items { edges { node { id name @skip(if: $s) } } } }'))).toEqual(['id', 'name']);
  });
});
