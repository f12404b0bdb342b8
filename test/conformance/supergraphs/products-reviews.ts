import { GraphQLError } from 'graphql';
import { byKey, fed2, type SupergraphFixture } from '../harness';

type Row = Record<string, unknown>;

// 19. The supergraph of gateway/src/execute/plan-executor.test.ts (which asserts Atrium's answers there),
// compared here with the oracle: four subgraphs, @requires, non-null fields left null by a subgraph and
// by an unknown entity, a resolver throwing with a code, a union and an interface, introspection.
const users: Row[] = [
  { id: 'u1', name: 'Ada', nickname: 'ada' },
  { id: 'u2', name: 'Grace', nickname: null },
];
const products: Row[] = [
  { upc: 'p1', name: 'Chair', price: 100, weight: 5 },
  { upc: 'p2', name: 'Table', price: 300, weight: 20 },
  { upc: 'p3', name: 'Lamp', price: 40, weight: 1 },
];
const reviews: Row[] = [
  { id: 'r1', body: 'Comfy', authorId: 'u1', upc: 'p1' },
  { id: 'r2', body: 'Wobbly', authorId: 'u2', upc: 'p2' },
  { id: 'r3', body: 'Bright', authorId: 'u1', upc: 'p3' },
  { id: 'r4', body: 'Sturdy', authorId: 'u2', upc: 'p1' },
  { id: 'r5', body: 'Anonymous', authorId: 'u9', upc: 'p2' }, // by a user accounts does not know
];

export const productsReviews: SupergraphFixture = {
  name: 'products-reviews',
  covers: [
    "plan-executor.test.ts's supergraph and operations against the oracle",
    'a non-null field left null by a subgraph (root and entity fetches)',
    'an unknown entity under a non-null field (value completion)',
  ],
  subgraphs: [
    {
      name: 'accounts',
      typeDefs: `${fed2}
        type Query { me: User, users: [User!]! }
        type User @key(fields: "id") { id: ID! name: String! nickname: String! }`,
      resolvers: {
        Query: { me: () => users[0], users: () => users },
        User: { __resolveReference: (ref: Row) => byKey(users, ref, 'id') },
      },
    },
    {
      name: 'products',
      typeDefs: `${fed2}
        type Query { topProducts(first: Int = 5): [Product!]! items: [Item!]! node(id: ID!): Node }
        interface Node { id: ID! }
        union Item = Product | Gift
        type Gift implements Node { id: ID! label: String }
        type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }`,
      resolvers: {
        Query: {
          topProducts: (_: unknown, { first }: Row) => products.slice(0, first as number),
          items: () => [{ __typename: 'Product', ...products[0] }, { __typename: 'Gift', id: 'g1', label: 'Bow' }],
          node: (_: unknown, { id }: Row) => (id === 'g1' ? { id: 'g1', label: 'Bow' } : null),
        },
        Item: { __resolveType: (o: Row) => o.__typename },
        Node: { __resolveType: () => 'Gift' },
        Product: { __resolveReference: (ref: Row) => byKey(products, ref, 'upc') },
      },
    },
    {
      name: 'inventory',
      typeDefs: `${fed2}
        type Product @key(fields: "upc") {
          upc: String!
          price: Int @external
          weight: Int @external
          inStock: Boolean
          shippingEstimate: Int @requires(fields: "price weight")
        }`,
      resolvers: {
        Product: {
          __resolveReference: (ref: Row) => ref,
          inStock: (p: Row) => p.upc !== 'p2',
          shippingEstimate: (p: Row) => ((p.price as number) > 200 ? 0 : (p.weight as number) * 2),
        },
      },
    },
    {
      name: 'reviews',
      typeDefs: `${fed2}
        type Review { id: ID! body: String author: User product: Product }
        type User @key(fields: "id") { id: ID! reviews: [Review!]! }
        type Product @key(fields: "upc") { upc: String! reviews: [Review] rating: Float! }`,
      resolvers: {
        Review: {
          author: (r: Row) => ({ __typename: 'User', id: r.authorId }),
          product: (r: Row) => ({ __typename: 'Product', upc: r.upc }),
        },
        User: { __resolveReference: (ref: Row) => ref, reviews: (u: Row) => reviews.filter((r) => r.authorId === u.id) },
        Product: {
          __resolveReference: (ref: Row) => ref,
          reviews: (p: Row) => {
            if (p.upc === 'p3') throw new GraphQLError('reviews are down for p3', { extensions: { code: 'REVIEWS_DOWN' } });
            return reviews.filter((r) => r.upc === p.upc);
          },
          rating: (p: Row) => (p.upc === 'p2' ? null : 4.5),
        },
      },
    },
  ],
  operations: [
    { name: 'entities across three subgraphs, nested lists', query: `{ topProducts { upc name inStock reviews { body author { name reviews { product { name } } } } } }`, errors: true },
    { name: '@requires of two fields', query: `{ topProducts(first: 2) { name shippingEstimate } }` },
    { name: 'null in a non-null position from a root fetch', query: `{ users { id nickname } }`, errors: true },
    { name: 'unknown author under a non-null name', query: `{ topProducts(first: 2) { name reviews { body author { name } } } }` },
    { name: 'null in a non-null position from an entity fetch', query: `{ users { id reviews { body product { upc rating } } } }`, errors: true },
    ...[
      { name: 'aliases, fragments, abstract types, @include on', variables: { withPrice: true } },
      { name: 'aliases, fragments, abstract types, @skip on', variables: { withPrice: false, noName: true } },
    ].map((v) => ({
      ...v,
      operationName: 'Q',
      query: `query Q($withPrice: Boolean!, $noName: Boolean = false) {
        first: topProducts(first: 1) { ...P  inStock @include(if: $withPrice) }
        items { __typename ... on Product { label: name cost: price @include(if: $withPrice) } ... on Gift { id label } }
        node(id: "g1") { __typename id ... on Gift { label } }
        me { handle: name @skip(if: $noName) kind: __typename }
      }
      fragment P on Product { __typename upc name @skip(if: $noName) price @include(if: $withPrice) }`,
    })),
    { name: 'a resolver throwing with a code', query: `{ topProducts { upc reviews { body } } }`, errors: true },
    { name: 'introspection beside federated fields', query: `{ __typename t: __type(name: "Product") { name fields { name } } me { name } }` },
    { name: 'Condition node, true', query: `query($r: Boolean!) { me { name reviews @include(if: $r) { body } } }`, variables: { r: true } },
    { name: 'Condition node, false', query: `query($r: Boolean!) { me { name reviews @include(if: $r) { body } } }`, variables: { r: false } },
  ],
};
