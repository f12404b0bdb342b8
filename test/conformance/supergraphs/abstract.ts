import { byKey, fed2, type SupergraphFixture } from '../harness';

type Row = Record<string, unknown>;

// 6. @interfaceObject: a subgraph adds fields to every implementation of an entity interface it does not know.
const media: Row[] = [
  { __typename: 'Book', id: 'm1', title: 'Dune', pages: 600 },
  { __typename: 'Film', id: 'm2', title: 'Alien', minutes: 117 },
  { __typename: 'Book', id: 'm3', title: 'Emma', pages: 400 },
];
const ratings: Record<string, number[]> = { m1: [5, 4], m2: [3], m3: [] };
export const interfaceObject: SupergraphFixture = {
  name: 'interface-object',
  covers: ['@interfaceObject', 'entity interface (@key on an interface)', 'inline fragments on implementations', '__typename on abstract types'],
  subgraphs: [
    {
      name: 'library',
      typeDefs: `${fed2}
        interface Media @key(fields: "id") { id: ID! title: String! }
        type Book implements Media @key(fields: "id") { id: ID! title: String! pages: Int! }
        type Film implements Media @key(fields: "id") { id: ID! title: String! minutes: Int! }
        type Query { media: [Media!]! }`,
      resolvers: {
        Query: { media: () => media },
        Media: { __resolveReference: (ref: Row) => byKey(media, ref, 'id'), __resolveType: (m: Row) => m.__typename },
        Book: { __resolveReference: (ref: Row) => byKey(media, ref, 'id') },
        Film: { __resolveReference: (ref: Row) => byKey(media, ref, 'id') },
      },
    },
    {
      name: 'ratings',
      typeDefs: `${fed2}
        type Media @key(fields: "id") @interfaceObject { id: ID! stars: Float rated: Int! }
        type Query { topRated: [Media!]! }`,
      resolvers: {
        Query: { topRated: () => ['m1', 'm2'].map((id) => ({ id })) },
        Media: {
          __resolveReference: (ref: Row) => ref,
          rated: (m: Row) => ratings[m.id as string]?.length ?? 0,
          stars: (m: Row) => {
            const r = ratings[m.id as string] ?? [];
            return r.length ? r.reduce((a, b) => a + b, 0) / r.length : null;
          },
        },
      },
    },
  ],
  operations: [
    { name: 'interface fields from both', query: `{ media { __typename id title stars rated } }` },
    { name: 'fragments per implementation', query: `{ media { title ... on Book { pages stars } ... on Film { minutes } } }` },
    { name: 'from the interface object root', query: `{ topRated { __typename title stars ... on Film { minutes } } }` },
    { name: 'named fragment on interface', query: `query { topRated { ...M } } fragment M on Media { id rated ... on Book { pages } }` },
  ],
};

// 7. Entity interface implemented in one subgraph, implementations extended in another.
const animals: Row[] = [
  { __typename: 'Dog', id: 'd1', name: 'Rex', barks: true },
  { __typename: 'Cat', id: 'c1', name: 'Tom', lives: 9 },
];
export const entityInterfaces: SupergraphFixture = {
  name: 'entity-interfaces',
  covers: ['entity interface', 'implementations extended in another subgraph', 'interface field resolved per implementation elsewhere'],
  subgraphs: [
    {
      name: 'zoo',
      typeDefs: `${fed2}
        interface Animal @key(fields: "id") { id: ID! name: String! }
        type Dog implements Animal @key(fields: "id") { id: ID! name: String! barks: Boolean! }
        type Cat implements Animal @key(fields: "id") { id: ID! name: String! lives: Int! }
        type Query { animals: [Animal!]! animal(id: ID!): Animal }`,
      resolvers: {
        Query: { animals: () => animals, animal: (_: unknown, { id }: Row) => byKey(animals, { id }, 'id') },
        Animal: { __resolveReference: (ref: Row) => byKey(animals, ref, 'id'), __resolveType: (a: Row) => a.__typename },
        Dog: { __resolveReference: (ref: Row) => byKey(animals, ref, 'id') },
        Cat: { __resolveReference: (ref: Row) => byKey(animals, ref, 'id') },
      },
    },
    {
      name: 'vet',
      typeDefs: `${fed2}
        type Dog @key(fields: "id") { id: ID! vaccinated: Boolean! }
        type Cat @key(fields: "id") { id: ID! vaccinated: Boolean! indoor: Boolean! }`,
      resolvers: {
        Dog: { __resolveReference: (ref: Row) => ref, vaccinated: () => true },
        Cat: { __resolveReference: (ref: Row) => ref, vaccinated: () => false, indoor: () => true },
      },
    },
  ],
  operations: [
    { name: 'both implementations extended', query: `{ animals { name ... on Dog { barks vaccinated } ... on Cat { vaccinated indoor } } }` },
    { name: 'one by id', query: `query A($id: ID!) { animal(id: $id) { __typename ... on Cat { lives indoor } } }`, variables: { id: 'c1' } },
    { name: 'null animal', query: `query A($id: ID!) { animal(id: $id) { id ... on Dog { vaccinated } } }`, variables: { id: 'zz' } },
    { name: 'aliased typenames', query: `{ animals { t: __typename k: __typename ... on Dog { v: vaccinated } } }` },
  ],
};

// 8. A union and a value interface spread over subgraphs.
const people: Row[] = [{ id: 'pp1', name: 'Ann' }, { id: 'pp2', name: 'Ben' }];
const notes: Row[] = [{ id: 'n1', text: 'hi', ownerId: 'pp2' }];
export const unionsAcross: SupergraphFixture = {
  name: 'unions-interfaces-across',
  covers: ['union with members from two subgraphs', 'interface declared in two subgraphs', 'entity union members extended elsewhere'],
  subgraphs: [
    {
      name: 'people',
      typeDefs: `${fed2}
        interface Named { name: String! }
        type Person implements Named @key(fields: "id") { id: ID! name: String! }
        type Query { people: [Person!]! }`,
      resolvers: {
        Query: { people: () => people },
        Person: { __resolveReference: (ref: Row) => byKey(people, ref, 'id') },
      },
    },
    {
      name: 'notes',
      typeDefs: `${fed2}
        interface Named { name: String! }
        type Person @key(fields: "id") { id: ID! notes: [Note!]! }
        type Tag implements Named { name: String! }
        type Note @key(fields: "id") { id: ID! text: String! owner: Person! }
        union Thing = Person | Note | Tag
        type Query { things: [Thing!]! named: [Named!]! }`,
      resolvers: {
        Query: {
          things: () => [{ __typename: 'Person', id: 'pp1' }, { __typename: 'Note', ...notes[0] }, { __typename: 'Tag', name: 'red' }],
          named: () => [{ __typename: 'Tag', name: 'blue' }],
        },
        Thing: { __resolveType: (t: Row) => t.__typename },
        Named: { __resolveType: (t: Row) => t.__typename },
        Person: { __resolveReference: (ref: Row) => ref, notes: (p: Row) => notes.filter((n) => n.ownerId === p.id) },
        Note: { __resolveReference: (ref: Row) => byKey(notes, ref, 'id'), owner: (n: Row) => ({ id: n.ownerId }) },
      },
    },
  ],
  operations: [
    { name: 'union members', query: `{ things { __typename ... on Person { name notes { text } } ... on Note { text owner { name } } ... on Tag { name } } }` },
    { name: 'union typename only', query: `{ things { __typename } }` },
    { name: 'interface from notes', query: `{ named { __typename name } }` },
    { name: 'named fragment on union', query: `query Things { things { ...T } } fragment T on Thing { ... on Named { name } ... on Note { id } }`, operationName: 'Things' },
    { name: 'people with notes', query: `{ people { name notes { id owner { name } } } }` },
  ],
};

// 9. Nested lists of entities, lists of lists.
const teams: Row[] = [
  { id: 'tA', memberIds: ['e1', 'e2'], grid: [['e1'], ['e2', 'e3']] },
  { id: 'tB', memberIds: [], grid: [[], ['e3']] },
];
const employees: Row[] = [
  { id: 'e1', name: 'Eve', skills: ['go', 'ts'] },
  { id: 'e2', name: 'Max', skills: [] },
  { id: 'e3', name: 'Zed', skills: ['rust'] },
];
export const nestedLists: SupergraphFixture = {
  name: 'nested-lists',
  covers: ['lists of entities in lists', 'list of lists of entities', 'empty lists', 'entity fetches batched across list levels'],
  subgraphs: [
    {
      name: 'org',
      typeDefs: `${fed2}
        type Employee @key(fields: "id") { id: ID! }
        type Team @key(fields: "id") { id: ID! members: [Employee!]! grid: [[Employee!]!]! }
        type Query { teams: [Team!]! }`,
      resolvers: {
        Query: { teams: () => teams },
        Team: {
          members: (t: Row) => (t.memberIds as string[]).map((id) => ({ id })),
          grid: (t: Row) => (t.grid as string[][]).map((row) => row.map((id) => ({ id }))),
        },
      },
    },
    {
      name: 'hr',
      typeDefs: `${fed2}
        type Employee @key(fields: "id") { id: ID! name: String! skills: [String!]! peers: [Employee!]! }`,
      resolvers: {
        Employee: {
          __resolveReference: (ref: Row) => byKey(employees, ref, 'id'),
          peers: (e: Row) => employees.filter((o) => o.id !== e.id),
        },
      },
    },
    {
      name: 'payroll',
      typeDefs: `${fed2}
        type Employee @key(fields: "id") { id: ID! salary: Int! }`,
      resolvers: { Employee: { __resolveReference: (ref: Row) => ref, salary: (e: Row) => (e.id as string).charCodeAt(1) * 100 } },
    },
  ],
  operations: [
    { name: 'members', query: `{ teams { id members { name salary } } }` },
    { name: 'grid', query: `{ teams { grid { name skills salary } } }` },
    { name: 'peers of members', query: `{ teams { members { peers { name salary peers { id } } } } }` },
    { name: 'members and grid aliased', query: `{ teams { a: members { n: name } b: grid { __typename s: salary } } }` },
  ],
};
