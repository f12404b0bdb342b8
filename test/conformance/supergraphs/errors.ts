import { GraphQLError } from 'graphql';
import { byKey, fed2, type SubgraphFixture, type SupergraphFixture } from '../harness';

type Row = Record<string, unknown>;

const orders: Row[] = [
  { id: 'o1', customerId: 'c1', itemIds: ['i1', 'i2'] },
  { id: 'o2', customerId: 'c2', itemIds: ['i3'] },
  { id: 'o3', customerId: 'c3', itemIds: [] },
];
const customers: Row[] = [
  { id: 'c1', name: 'Ann' },
  { id: 'c2', name: 'Bo' }, // c3 is unknown: resolves to null
];
const items: Row[] = [
  { id: 'i1', title: 'pen', price: 2 },
  { id: 'i2', title: 'ink', price: 5 },
  { id: 'i3', title: 'cursed', price: -1 },
];

const ordersSubgraph = {
  name: 'orders',
  typeDefs: `${fed2}
    type Customer @key(fields: "id") { id: ID! }
    type Item @key(fields: "id") { id: ID! }
    type Order @key(fields: "id") { id: ID! customer: Customer items: [Item!]! buyer: Customer! }
    type Query { orders: [Order!]! order(id: ID!): Order }`,
  resolvers: {
    Query: { orders: () => orders, order: (_: unknown, { id }: Row) => byKey(orders, { id }, 'id') },
    Order: {
      // Resolvable by key: plans with @defer (test/conformance/defer.ts) come back for an order's fields.
      __resolveReference: (ref: Row) => byKey(orders, ref, 'id'),
      customer: (o: Row) => ({ id: o.customerId }),
      buyer: (o: Row) => ({ id: o.customerId }),
      items: (o: Row) => (o.itemIds as string[]).map((id) => ({ id })),
    },
  },
};

/**
 * customers (c2's `vip` throws with a code) and items (a negative price throws without
 * one), their fields nullable or non-null: the same failures, in the two kinds of position.
 */
const failingSubgraphs = (fields: 'nullable' | 'non-null'): SubgraphFixture[] => {
  const t = (type: string) => (fields === 'non-null' ? `${type}!` : type);
  return [
    {
      name: 'customers',
      typeDefs: `${fed2}
        type Customer @key(fields: "id") { id: ID! name: ${t('String')} vip: ${t('Boolean')} }`,
      resolvers: {
        Customer: {
          __resolveReference: (ref: Row) => byKey(customers, ref, 'id'),
          vip: (c: Row) => {
            if (c.id === 'c2') throw new GraphQLError('vip status unavailable', { extensions: { code: 'VIP_DOWN' } });
            return true;
          },
        },
      },
    },
    {
      name: 'items',
      typeDefs: `${fed2}
        type Item @key(fields: "id") { id: ID! title: ${t('String')} price: ${t('Int')} }`,
      resolvers: {
        Item: {
          __resolveReference: (ref: Row) => byKey(items, ref, 'id'),
          price: (i: Row) => {
            if ((i.price as number) < 0) throw new Error('negative price');
            return i.price;
          },
        },
      },
    },
  ];
};

// 10. Errors and nulls in nullable positions in the middle of a plan.
export const errorsNullable: SupergraphFixture = {
  name: 'errors-nullable',
  covers: [
    'entity fetch returning null for one representation (nullable field)',
    'a field resolver throwing in a nullable position',
    'subgraph errors with extension codes passed through at client paths',
    'partial data',
  ],
  subgraphs: [
    ordersSubgraph,
    ...failingSubgraphs('nullable'),
  ],
  operations: [
    { name: 'unknown customer is null', query: `{ orders { id customer { name } } }` },
    { name: 'nullable field throws with a code', query: `{ orders { id customer { name vip } } }`, errors: true },
    { name: 'item price throws', query: `{ orders { items { title price } } }`, errors: true },
    { name: 'one order, error under alias', query: `query O($id: ID!) { order(id: $id) { c: customer { v: vip } } }`, variables: { id: 'o2' }, errors: true },
    { name: 'errors under aliases in lists', query: `{ os: orders { xs: items { t: title p: price } c: customer { v: vip } } }`, errors: true },
    { name: 'one order, no error', query: `query O($id: ID!) { order(id: $id) { customer { name vip } items { price } } }`, variables: { id: 'o1' } },
  ],
};

// 11. Errors and nulls in non-null positions: null propagation to the nearest nullable parent.
export const errorsNonNull: SupergraphFixture = {
  name: 'errors-non-null',
  covers: [
    'entity resolving to null in a non-null position',
    'a non-null field throwing: null propagation through lists',
    'the whole root nulled when nothing nullable is above',
  ],
  subgraphs: [
    ordersSubgraph,
    ...failingSubgraphs('non-null'),
  ],
  operations: [
    // The stock executor nulls the whole response and reports the null in extensions.valueCompletion,
    // not in errors (its behaviour, not the spec's); an executor under test is held to the same answer.
    { name: 'unknown customer under a non-null field', query: `{ orders { id buyer { name } } }` },
    { name: 'non-null vip throws under nullable customer', query: `{ orders { id customer { name vip } } }`, errors: true },
    { name: 'non-null price throws in a non-null list', query: `{ orders { id items { title price } } }`, errors: true },
    { name: 'nullable root keeps the rest', query: `query O($id: ID!) { order(id: $id) { items { price } } }`, variables: { id: 'o2' }, errors: true },
    { name: 'clean order', query: `query O($id: ID!) { order(id: $id) { buyer { name vip } items { title price } } }`, variables: { id: 'o1' } },
  ],
};

// 12. A whole subgraph fetch failing (as a network error would) in the middle of a plan.
export const subgraphDown: SupergraphFixture = {
  name: 'subgraph-down',
  covers: ['a failed entity fetch (whole subgraph) in nullable and non-null positions', 'a failed root fetch', 'the other fetches of the plan still answer'],
  subgraphs: [
    ordersSubgraph,
    {
      name: 'customers',
      typeDefs: `${fed2}
        type Customer @key(fields: "id") { id: ID! name: String }
        type Query { customerCount: Int }`,
      resolvers: {
        Query: { customerCount: () => customers.length },
        Customer: { __resolveReference: (ref: Row) => byKey(customers, ref, 'id') },
      },
      fail: () => new Error('connect ECONNREFUSED customers'),
    },
    {
      name: 'items',
      typeDefs: `${fed2}
        type Item @key(fields: "id") { id: ID! title: String! }`,
      resolvers: { Item: { __resolveReference: (ref: Row) => byKey(items, ref, 'id') } },
    },
  ],
  operations: [
    { name: 'nullable entity field from a failed subgraph', query: `{ orders { id customer { name } items { title } } }`, errors: true },
    { name: 'non-null entity field from a failed subgraph', query: `{ orders { id buyer { name } } }`, errors: true },
    { name: 'failed root field beside a good one', query: `{ customerCount orders { id } }`, errors: true },
    { name: 'plan that never reaches it', query: `{ orders { items { title } } }` },
  ],
};
