import { byKey, fed2, type SupergraphFixture } from '../harness';

type Row = Record<string, unknown>;

// 17. @external on a value type, @provides of a nested selection, an entity with two independent keys.
const shops: Row[] = [
  { id: 'sh1', email: 'a@shop', name: 'Alpha', address: { city: 'Rome', zip: '00100' } },
  { id: 'sh2', email: 'b@shop', name: 'Beta', address: { city: 'Milan', zip: '20100' } },
];
const deals: Row[] = [
  { id: 'd1', shopId: 'sh1', percent: 10 },
  { id: 'd2', shopId: 'sh2', percent: 25 },
];
const ratingsByEmail: Record<string, number> = { 'a@shop': 4, 'b@shop': 2 };
export const providesNested: SupergraphFixture = {
  name: 'provides-nested-two-keys',
  covers: ['@provides of a nested value-type selection', '@external on value-type fields', 'independent @keys (id, email) used by different subgraphs', 'key conversion through the owner'],
  subgraphs: [
    {
      name: 'shops',
      typeDefs: `${fed2}
        type Address @shareable { city: String! zip: String! }
        type Shop @key(fields: "id") @key(fields: "email") { id: ID! email: String! name: String! @shareable address: Address! @shareable }
        type Query { shops: [Shop!]! }`,
      resolvers: {
        Query: { shops: () => shops },
        Shop: { __resolveReference: (ref: Row) => (ref.id ? byKey(shops, ref, 'id') : byKey(shops, ref, 'email')) },
      },
    },
    {
      name: 'deals',
      typeDefs: `${fed2}
        type Address @shareable { city: String! @external }
        type Shop @key(fields: "id") { id: ID! name: String! @external address: Address! @external }
        type Deal { id: ID! percent: Int! shop: Shop! @provides(fields: "name address { city }") }
        type Query { deals: [Deal!]! }`,
      resolvers: {
        Query: { deals: () => deals },
        Deal: { shop: (d: Row) => byKey(shops, { id: d.shopId }, 'id') },
        Shop: { __resolveReference: (ref: Row) => ref },
      },
    },
    {
      name: 'ratings',
      typeDefs: `${fed2}
        type Shop @key(fields: "email") { email: String! rating: Int! }`,
      resolvers: { Shop: { __resolveReference: (ref: Row) => ref, rating: (s: Row) => ratingsByEmail[s.email as string] } },
    },
  ],
  operations: [
    { name: 'provided nested city', query: `{ deals { percent shop { name address { city } } } }` },
    { name: 'unprovided zip', query: `{ deals { shop { address { city zip } } } }` },
    { name: 'rating by the email key from deals', query: `{ deals { id shop { name rating } } }` },
    { name: 'rating from shops', query: `{ shops { id rating address { zip } } }` },
    { name: 'typename on value types', query: `{ deals { __typename shop { __typename address { __typename city } } } }` },
  ],
};

// 18. Interfaces whose implementations live in different subgraphs, with entity fields from a third.
const feed: Row[] = [
  { kind: 'Photo', id: 'f1' },
  { kind: 'Clip', id: 'f2' },
  { kind: 'Photo', id: 'f3' },
];
const photos: Row[] = [{ id: 'f1', url: '/1.jpg', width: 640 }, { id: 'f3', url: '/3.jpg', width: 800 }];
const clips: Row[] = [{ id: 'f2', url: '/2.mp4', seconds: 12 }];
export const feedAcross: SupergraphFixture = {
  name: 'feed-interface-across',
  covers: ['an interface whose implementations are resolved by different subgraphs', 'entity fields from a third subgraph on every implementation', 'lists of abstract entities', 'named fragments on both implementations'],
  subgraphs: [
    {
      name: 'feed',
      typeDefs: `${fed2}
        interface Post { id: ID! }
        type Photo implements Post @key(fields: "id") { id: ID! }
        type Clip implements Post @key(fields: "id") { id: ID! }
        type Query { feed(first: Int = 10): [Post!]! }`,
      resolvers: {
        Query: { feed: (_: unknown, { first }: Row) => feed.slice(0, first as number) },
        Post: { __resolveType: (p: Row) => p.kind },
      },
    },
    {
      name: 'photos',
      typeDefs: `${fed2}
        type Photo @key(fields: "id") { id: ID! url: String! width: Int! }`,
      resolvers: { Photo: { __resolveReference: (ref: Row) => byKey(photos, ref, 'id') } },
    },
    {
      name: 'clips',
      typeDefs: `${fed2}
        type Clip @key(fields: "id") { id: ID! url: String! seconds: Int! }`,
      resolvers: { Clip: { __resolveReference: (ref: Row) => byKey(clips, ref, 'id') } },
    },
    {
      name: 'likes',
      typeDefs: `${fed2}
        type Photo @key(fields: "id") { id: ID! likes: Int! }
        type Clip @key(fields: "id") { id: ID! likes: Int! }`,
      resolvers: {
        Photo: { __resolveReference: (ref: Row) => ref, likes: (p: Row) => (p.id as string).length * 3 },
        Clip: { __resolveReference: (ref: Row) => ref, likes: () => 1 },
      },
    },
  ],
  operations: [
    { name: 'each implementation from its subgraph', query: `{ feed { id ... on Photo { url width } ... on Clip { url seconds } } }` },
    { name: 'likes on both', query: `{ feed { __typename ... on Photo { likes } ... on Clip { likes seconds } } }` },
    { name: 'first with a variable', query: `query F($n: Int) { feed(first: $n) { ...P ...C } } fragment P on Photo { url likes } fragment C on Clip { seconds }`, variables: { n: 2 } },
    { name: 'only photos', query: `{ feed { ... on Photo { id w: width } } }` },
    { name: 'conditional likes', query: `query L($likes: Boolean!) { feed { id ... on Photo @include(if: $likes) { likes } ... on Clip @skip(if: $likes) { url } } }`, variables: { likes: true } },
  ],
};
