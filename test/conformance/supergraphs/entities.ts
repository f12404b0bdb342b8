import { byKey, fed2, type SupergraphFixture } from '../harness';

type Row = Record<string, unknown>;

// 1. Compound and multiple @keys, a key with a nested object.
const products: Row[] = [
  { id: 'p1', upc: 'u1', sku: 's1', name: 'Lamp', org: { id: 'o1' } },
  { id: 'p2', upc: 'u2', sku: 's2', name: 'Desk', org: { id: 'o1' } },
  { id: 'p3', upc: 'u3', sku: 's3', name: 'Chair', org: { id: 'o2' } },
];
const stock: Row[] = [
  { upc: 'u1', sku: 's1', inStock: 4 },
  { upc: 'u2', sku: 's2', inStock: 0 },
  { upc: 'u3', sku: 's3', inStock: 9 },
];
const reviews: Row[] = [
  { id: 'r1', productId: 'p1', body: 'bright' },
  { id: 'r2', productId: 'p1', body: 'wobbly' },
  { id: 'r3', productId: 'p3', body: 'comfy' },
];
export const compoundKeys: SupergraphFixture = {
  name: 'compound-keys',
  covers: ['compound @key', 'multiple @keys on one entity', '@key with a nested selection', 'key conversion through a third subgraph'],
  subgraphs: [
    {
      name: 'catalog',
      typeDefs: `${fed2}
        type Org @shareable { id: ID! }
        type Product @key(fields: "id") @key(fields: "upc sku") @key(fields: "id org { id }") { id: ID! upc: String! sku: String! name: String! org: Org! }
        type Query { products: [Product!]! product(id: ID!): Product }`,
      resolvers: {
        Query: { products: () => products, product: (_: unknown, { id }: Row) => byKey(products, { id }, 'id') },
        Product: {
          __resolveReference: (ref: Row) => (ref.id ? byKey(products, ref, 'id') : byKey(products, ref, 'upc', 'sku')),
        },
      },
    },
    {
      name: 'inventory',
      typeDefs: `${fed2}
        type Product @key(fields: "upc sku") { upc: String! sku: String! inStock: Int! }`,
      resolvers: { Product: { __resolveReference: (ref: Row) => byKey(stock, ref, 'upc', 'sku') } },
    },
    {
      name: 'reviews',
      typeDefs: `${fed2}
        type Org @shareable { id: ID! }
        type Product @key(fields: "id org { id }") { id: ID! org: Org! reviews: [Review!]! }
        type Review { id: ID! body: String! product: Product! }
        type Query { reviews: [Review!]! }`,
      resolvers: {
        Query: { reviews: () => reviews },
        Review: { product: (r: Row) => byKey(products, { id: r.productId }, 'id') },
        Product: {
          __resolveReference: (ref: Row) => ref,
          reviews: (p: Row) => reviews.filter((r) => r.productId === p.id),
        },
      },
    },
  ],
  operations: [
    { name: 'all three subgraphs', query: `{ products { id name inStock reviews { body } } }` },
    { name: 'by compound key from reviews', query: `{ reviews { id product { name inStock } } }` },
    { name: 'one product with variables', query: `query One($id: ID!) { product(id: $id) { __typename upc sku inStock org { id } } }`, variables: { id: 'p3' } },
    { name: 'missing product', query: `query One($id: ID!) { product(id: $id) { name inStock reviews { id } } }`, variables: { id: 'nope' } },
    { name: 'round trip back to reviews', query: `{ reviews { product { reviews { id product { sku inStock } } } } }` },
    { name: 'skipped key field, entity fields kept', query: `query P($id: ID!, $s: Boolean!) { product(id: $id) { id @skip(if: $s) upc @skip(if: $s) inStock reviews { id } } }`, variables: { id: 'p1', s: true } },
  ],
};

// 2. @requires with arguments, and on a field with arguments of its own.
const parcels: Row[] = [
  { id: 'a', grams: 1500, width: 10, height: 20 },
  { id: 'b', grams: 250, width: 5, height: 5 },
];
export const requiresArgs: SupergraphFixture = {
  name: 'requires-arguments',
  covers: ['@requires', '@requires of a field with arguments', 'a requiring field with arguments', '@external', 'nested @requires selection'],
  subgraphs: [
    {
      name: 'parcels',
      typeDefs: `${fed2}
        enum Unit { GRAM KILOGRAM }
        type Size @shareable { width: Int! height: Int! }
        type Parcel @key(fields: "id") { id: ID! weight(unit: Unit = GRAM): Float! size: Size! }
        type Query { parcels: [Parcel!]! }`,
      resolvers: {
        Query: { parcels: () => parcels },
        Parcel: {
          __resolveReference: (ref: Row) => byKey(parcels, ref, 'id'),
          weight: (p: Row, { unit }: Row) => (unit === 'KILOGRAM' ? (p.grams as number) / 1000 : p.grams),
          size: (p: Row) => ({ width: p.width, height: p.height }),
        },
      },
    },
    {
      name: 'shipping',
      typeDefs: `${fed2}
        enum Unit { GRAM KILOGRAM }
        type Size @shareable { width: Int! height: Int! }
        type Parcel @key(fields: "id") {
          id: ID!
          weight(unit: Unit = GRAM): Float! @external
          size: Size! @external
          cost(zone: Int!, express: Boolean = false): Float! @requires(fields: "weight(unit: KILOGRAM) size { width height }")
          label: String! @requires(fields: "weight(unit: GRAM)")
        }`,
      resolvers: {
        Parcel: {
          __resolveReference: (ref: Row) => ref,
          cost: (p: Row, { zone, express }: Row) => {
            const size = p.size as Row;
            return (p.weight as number) * (zone as number) + ((size.width as number) * (size.height as number)) / 100 + (express ? 10 : 0);
          },
          label: (p: Row) => `${p.id}:${p.weight}g`,
        },
      },
    },
  ],
  operations: [
    { name: 'cost with arguments', query: `query Cost($zone: Int!) { parcels { id cost(zone: $zone) } }`, variables: { zone: 3 } },
    { name: 'cost express and label', query: `query Cost($zone: Int!, $x: Boolean) { parcels { label cost(zone: $zone, express: $x) } }`, variables: { zone: 1, x: true } },
    { name: 'required field also selected by the client', query: `{ parcels { weight kg: weight(unit: KILOGRAM) label size { width } } }` },
    { name: 'aliased costs', query: `{ parcels { near: cost(zone: 1) far: cost(zone: 9) } }` },
    { name: 'null variable for a defaulted argument', query: `query C($x: Boolean) { parcels { cost(zone: 2, express: $x) } }`, variables: { x: null } },
  ],
};

// 3. @provides and @external.
const users: Row[] = [
  { id: 'u1', username: 'ada', email: 'ada@example.com' },
  { id: 'u2', username: 'bob', email: 'bob@example.com' },
];
const posts: Row[] = [
  { id: 'x1', title: 'Hello', authorId: 'u1' },
  { id: 'x2', title: 'World', authorId: 'u2' },
  { id: 'x3', title: 'Again', authorId: 'u1' },
];
export const provides: SupergraphFixture = {
  name: 'provides',
  covers: ['@provides', '@external fields provided on one path only', 'the same field from the owner on another path'],
  subgraphs: [
    {
      name: 'accounts',
      typeDefs: `${fed2}
        type User @key(fields: "id") { id: ID! username: String! @shareable email: String! }
        type Query { me: User }`,
      resolvers: {
        Query: { me: () => users[0] },
        User: { __resolveReference: (ref: Row) => byKey(users, ref, 'id') },
      },
    },
    {
      name: 'posts',
      typeDefs: `${fed2}
        type User @key(fields: "id") { id: ID! username: String! @external posts: [Post!]! }
        type Post @key(fields: "id") { id: ID! title: String! author: User! @provides(fields: "username") writer: User! }
        type Query { posts: [Post!]! }`,
      resolvers: {
        Query: { posts: () => posts },
        Post: {
          author: (p: Row) => byKey(users, { id: p.authorId }, 'id'),
          writer: (p: Row) => ({ id: p.authorId }),
        },
        User: {
          __resolveReference: (ref: Row) => ref,
          posts: (u: Row) => posts.filter((p) => p.authorId === u.id),
        },
      },
    },
  ],
  operations: [
    { name: 'provided username, no second fetch', query: `{ posts { title author { username } } }` },
    { name: 'unprovided email', query: `{ posts { author { username email } } }` },
    { name: 'writer without @provides', query: `{ posts { writer { username } } }` },
    { name: 'me and my posts', query: `{ me { username posts { title author { id username } } } }` },
  ],
};

// 4. @shareable fields resolvable from two subgraphs, value types, and @override.
const hotels: Row[] = [
  { id: 'h1', name: 'Grand', stars: 5, city: 'Oslo', geo: { lat: 59.9, lng: 10.7 } },
  { id: 'h2', name: 'Inn', stars: 2, city: 'Bergen', geo: { lat: 60.4, lng: 5.3 } },
];
export const shareable: SupergraphFixture = {
  name: 'shareable-override',
  covers: ['@shareable fields served by two subgraphs', 'shareable value types', '@override moving a field'],
  subgraphs: [
    {
      name: 'hotels',
      typeDefs: `${fed2}
        type Geo @shareable { lat: Float! lng: Float! }
        type Hotel @key(fields: "id") { id: ID! name: String! @shareable geo: Geo! @shareable stars: Int! }
        type Query { hotels: [Hotel!]! }`,
      resolvers: {
        Query: { hotels: () => hotels },
        Hotel: { __resolveReference: (ref: Row) => byKey(hotels, ref, 'id') },
      },
    },
    {
      name: 'search',
      typeDefs: `${fed2}
        type Geo @shareable { lat: Float! lng: Float! }
        type Hotel @key(fields: "id") { id: ID! name: String! @shareable geo: Geo! @shareable city: String! @override(from: "hotels") }
        type Query { near(city: String!): [Hotel!]! }`,
      resolvers: {
        Query: { near: (_: unknown, { city }: Row) => hotels.filter((h) => h.city === city) },
        Hotel: { __resolveReference: (ref: Row) => byKey(hotels, ref, 'id') },
      },
    },
  ],
  operations: [
    { name: 'shareable from the root subgraph', query: `{ hotels { name geo { lat lng } } }` },
    { name: 'overridden field', query: `{ hotels { id city stars } }` },
    { name: 'from search with stars', query: `query Near($c: String!) { near(city: $c) { name stars geo { lat } } }`, variables: { c: 'Oslo' } },
    { name: 'nothing near', query: `query Near($c: String!) { near(city: $c) { name stars } }`, variables: { c: 'Rome' } },
  ],
};

// 5. A chain of @requires across three subgraphs.
const trips: Row[] = [
  { id: 't1', km: 120 },
  { id: 't2', km: 15 },
];
export const requiresChain: SupergraphFixture = {
  name: 'requires-chain',
  covers: ['@requires depending on another @requires field', 'three subgraphs in sequence', '@external'],
  subgraphs: [
    {
      name: 'trips',
      typeDefs: `${fed2}
        type Trip @key(fields: "id") { id: ID! km: Int! }
        type Query { trips: [Trip!]! }`,
      resolvers: { Query: { trips: () => trips }, Trip: { __resolveReference: (ref: Row) => byKey(trips, ref, 'id') } },
    },
    {
      name: 'fuel',
      typeDefs: `${fed2}
        type Trip @key(fields: "id") { id: ID! km: Int! @external litres: Float! @requires(fields: "km") }`,
      resolvers: { Trip: { __resolveReference: (ref: Row) => ref, litres: (t: Row) => (t.km as number) * 0.07 } },
    },
    {
      name: 'billing',
      typeDefs: `${fed2}
        type Trip @key(fields: "id") { id: ID! litres: Float! @external price(perLitre: Float = 2.0): Float! @requires(fields: "litres") }`,
      resolvers: { Trip: { __resolveReference: (ref: Row) => ref, price: (t: Row, { perLitre }: Row) => (t.litres as number) * (perLitre as number) } },
    },
  ],
  operations: [
    { name: 'price through fuel', query: `{ trips { id price } }` },
    { name: 'price with a variable', query: `query P($l: Float) { trips { km litres price(perLitre: $l) } }`, variables: { l: 1.5 } },
    { name: 'typename only on chain', query: `{ trips { __typename price } }` },
  ],
};
