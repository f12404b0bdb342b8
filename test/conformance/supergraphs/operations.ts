import { GraphQLError } from 'graphql';
import { byKey, fed2, type SubgraphFixture, type SupergraphFixture } from '../harness';

type Row = Record<string, unknown>;

const books: Row[] = [
  { id: 'b1', title: 'Dune', authorId: 'a1', year: 1965 },
  { id: 'b2', title: 'Emma', authorId: 'a2', year: 1815 },
];
const authors: Row[] = [
  { id: 'a1', name: 'Herbert', born: 1920 },
  { id: 'a2', name: 'Austen', born: 1775 },
];
const bookSubgraphs = (): SubgraphFixture[] => [
  {
    name: 'books',
    typeDefs: `${fed2}
      type Author @key(fields: "id") { id: ID! }
      type Book @key(fields: "id") { id: ID! title: String! year: Int! author: Author! }
      type Query { books: [Book!]! book(id: ID!): Book }`,
    resolvers: {
      Query: { books: () => books, book: (_: unknown, { id }: Row) => byKey(books, { id }, 'id') },
      Book: { __resolveReference: (ref: Row) => byKey(books, ref, 'id'), author: (b: Row) => ({ id: b.authorId }) },
    },
  },
  {
    name: 'authors',
    typeDefs: `${fed2}
      type Author @key(fields: "id") { id: ID! name: String! born: Int! books: [Book!]! }
      type Book @key(fields: "id") { id: ID! }
      type Query { authors: [Author!]! }`,
    resolvers: {
      Query: { authors: () => authors },
      Author: {
        __resolveReference: (ref: Row) => byKey(authors, ref, 'id'),
        books: (a: Row) => books.filter((b) => b.authorId === a.id).map((b) => ({ id: b.id })),
      },
    },
  },
];

// 13. @include / @skip on variables: Condition nodes in the plan, and conditions inside fetches.
const conditional = `query C($withAuthor: Boolean!, $skipYear: Boolean!, $withBooks: Boolean = true) {
  books {
    title
    year @skip(if: $skipYear)
    author @include(if: $withAuthor) { name books @include(if: $withBooks) { title } }
    ... on Book @include(if: $withAuthor) { a2: author { born } }
  }
}`;
export const directives: SupergraphFixture = {
  name: 'include-skip',
  covers: ['@include/@skip on variables', 'Condition plan nodes', 'conditions on inline fragments', 'variable defaults'],
  subgraphs: bookSubgraphs(),
  operations: [
    { name: 'all included', query: conditional, variables: { withAuthor: true, skipYear: false } },
    { name: 'author excluded', query: conditional, variables: { withAuthor: false, skipYear: false } },
    { name: 'year skipped, books off', query: conditional, variables: { withAuthor: true, skipYear: true, withBooks: false } },
    { name: 'everything off', query: conditional, variables: { withAuthor: false, skipYear: true, withBooks: false } },
    {
      name: 'skip and include on the same field',
      query: `query S($a: Boolean!, $b: Boolean!) { authors { name born @skip(if: $a) @include(if: $b) books { title @include(if: $b) } } }`,
      variables: { a: false, b: true },
    },
    {
      name: 'literal conditions',
      query: `{ authors { name @include(if: false) born @skip(if: false) books @skip(if: true) { title } } }`,
    },
  ],
};

// 14. Named and inline fragments, aliases, __typename everywhere, introspection beside data.
export const fragmentsAliases: SupergraphFixture = {
  name: 'fragments-aliases',
  covers: ['named fragments', 'nested and repeated fragments', 'inline fragments without type condition', 'aliases (also of entity fields and with different arguments)', '__typename at every level and on root', 'introspection beside federated data'],
  subgraphs: bookSubgraphs(),
  operations: [
    {
      name: 'named fragments across subgraphs',
      query: `query F { books { ...BookParts author { ...AuthorParts } } } fragment BookParts on Book { id title } fragment AuthorParts on Author { name books { ...BookParts } }`,
      operationName: 'F',
    },
    { name: 'aliases with arguments', query: `query A($x: ID!, $y: ID!) { first: book(id: $x) { t: title } second: book(id: $y) { t: title w: author { n: name } } }`, variables: { x: 'b1', y: 'b2' } },
    { name: 'typename everywhere', query: `{ __typename books { __typename author { __typename name books { __typename } } } authors { __typename } }` },
    { name: 'inline fragment without a type', query: `{ books { ... { title } ... @include(if: true) { author { name } } } }` },
    {
      name: 'one of two operations',
      query: `query One { books { title } } query Two { authors { name books { year } } }`,
      operationName: 'Two',
    },
    { name: 'same field twice, merged', query: `{ books { author { name } author { born id } title title } }` },
    { name: 'introspection with data', query: `{ __type(name: "Book") { name fields { name } } books { title } }` },
    { name: 'schema introspection', query: `{ __schema { queryType { name } mutationType { name } } }` },
    { name: 'aliases swapping field names', query: `{ books { title: year year: title author { id: name name: born } } }` },
    { name: 'alias named like the key the plan needs', query: `{ books { id: title author { id: name books { id: year } } } }` },
  ],
};

// 15. Mutations: root fields run in order, each followed by the fetches completing it.
const accounts: Row[] = [];
const ledger: Row[] = [];
const resetAccounts = () => {
  accounts.splice(0, accounts.length, { id: 'ac1', owner: 'Ann', balance: 100 }, { id: 'ac2', owner: 'Bo', balance: 5 });
  ledger.splice(0, ledger.length);
};
resetAccounts();
export const mutations: SupergraphFixture = {
  name: 'mutations',
  covers: ['sequential mutation root fields across two subgraphs', 'entity fetches after each mutation', 'a failing mutation between successful ones', 'mutation variables'],
  reset: resetAccounts,
  subgraphs: [
    {
      name: 'bank',
      typeDefs: `${fed2}
        type Account @key(fields: "id") { id: ID! owner: String! balance: Int! }
        type Query { accounts: [Account!]! }
        type Mutation { deposit(id: ID!, amount: Int!): Account withdraw(id: ID!, amount: Int!): Account }`,
      resolvers: {
        Query: { accounts: () => accounts },
        Account: { __resolveReference: (ref: Row) => byKey(accounts, ref, 'id') },
        Mutation: {
          deposit: (_: unknown, { id, amount }: Row) => {
            const a = byKey(accounts, { id }, 'id');
            if (a) a.balance = (a.balance as number) + (amount as number);
            return a;
          },
          withdraw: (_: unknown, { id, amount }: Row) => {
            const a = byKey(accounts, { id }, 'id');
            if (!a) return null;
            if ((a.balance as number) < (amount as number)) throw new Error('insufficient funds');
            a.balance = (a.balance as number) - (amount as number);
            return a;
          },
        },
      },
    },
    {
      name: 'audit',
      typeDefs: `${fed2}
        type Account @key(fields: "id") { id: ID! entries: Int! }
        type Entry { id: Int! accountId: ID! note: String! }
        type Mutation { note(accountId: ID!, note: String!): Entry! }`,
      resolvers: {
        Account: { __resolveReference: (ref: Row) => ref, entries: (a: Row) => ledger.filter((e) => e.accountId === a.id).length },
        Mutation: {
          note: (_: unknown, { accountId, note }: Row) => {
            const entry = { id: ledger.length + 1, accountId, note };
            ledger.push(entry);
            return entry;
          },
        },
      },
    },
  ],
  operations: [
    {
      name: 'interleaved subgraphs, in order',
      query: `mutation M($id: ID!) { a: deposit(id: $id, amount: 10) { balance entries } n1: note(accountId: $id, note: "x") { id } b: deposit(id: $id, amount: 1) { balance entries } n2: note(accountId: $id, note: "y") { id note } c: withdraw(id: $id, amount: 50) { balance entries } }`,
      variables: { id: 'ac1' },
    },
    {
      name: 'failing withdrawal in the middle',
      query: `mutation { w1: withdraw(id: "ac2", amount: 3) { balance } w2: withdraw(id: "ac2", amount: 3) { balance } d: deposit(id: "ac2", amount: 1) { __typename balance entries } }`,
      errors: true,
    },
    { name: 'unknown account', query: `mutation { deposit(id: "zz", amount: 1) { balance entries } }` },
    { name: 'query after reset', query: `{ accounts { id balance entries } }` },
    { name: 'typename on the mutation root', query: `mutation M($a: Int!) { __typename deposit(id: "ac2", amount: $a) { __typename id balance } }`, variables: { a: 7 } },
  ],
};

// 16. A subscription: the primary fetch on the owning subgraph, each event completed by the rest of the plan.
const readings: Row[] = [
  { sensorId: 's1', value: 20 },
  { sensorId: 's2', value: 31 },
  { sensorId: 'sX', value: 0 },
];
const sensors: Row[] = [
  { id: 's1', room: 'lab' },
  { id: 's2', room: 'hall' },
];
export const subscriptions: SupergraphFixture = {
  name: 'subscriptions',
  covers: ['subscription plan (primary + rest) per event', 'entity completion of each event from another subgraph', 'an event whose entity is unknown', "an event carrying the subgraph's error"],
  subgraphs: [
    {
      name: 'telemetry',
      typeDefs: `${fed2}
        type Sensor @key(fields: "id") { id: ID! }
        type Reading { value: Int! sensor: Sensor! }
        type Query { ping: Boolean }
        type Subscription { readings(min: Int = 0): Reading! faultyReadings: Reading }`,
      resolvers: {
        Query: { ping: () => true },
        Subscription: {
          readings: {
            subscribe: async function* (_: unknown, { min }: Row) {
              for (const r of readings) if ((r.value as number) >= (min as number)) yield { readings: r };
            },
          },
          // An event whose reading the subgraph cannot complete: null with an error, beside good ones.
          faultyReadings: {
            subscribe: async function* () {
              for (const r of readings) yield { faultyReadings: r };
            },
            resolve: (payload: { faultyReadings: Row }) => {
              if (payload.faultyReadings === readings[1]) throw new GraphQLError('sensor offline', { extensions: { code: 'SENSOR_OFFLINE' } });
              return payload.faultyReadings;
            },
          },
        },
        Reading: { sensor: (r: Row) => ({ id: r.sensorId }) },
      },
    },
    {
      name: 'sites',
      typeDefs: `${fed2}
        type Sensor @key(fields: "id") { id: ID! room: String }`,
      resolvers: { Sensor: { __resolveReference: (ref: Row) => byKey(sensors, ref, 'id') ?? { id: ref.id, room: null } } },
    },
  ],
  operations: [
    { name: 'events completed with rooms', query: `subscription { readings { value sensor { id room } } }` },
    { name: 'events with a variable', query: `subscription R($min: Int) { readings(min: $min) { v: value sensor { __typename room } } }`, variables: { min: 25 } },
    { name: 'events from the owner only', query: `subscription { readings { __typename value } }` },
    { name: 'events carrying the subgraph\'s errors', query: `subscription { faultyReadings { value sensor { room } } }`, errors: true },
  ],
};
