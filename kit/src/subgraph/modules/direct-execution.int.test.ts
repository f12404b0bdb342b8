import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import { loadConfig, subgraphEnv } from '../../config';
import { createTestDatabase, createTestEvents, testLogger, type TestDatabase, type TestEvents } from '../../testing';
import { createSubgraph, type Subgraph } from '../create-subgraph';
import { DateTimeScalar } from '../graphql-types';

// The direct path (direct-execution.ts: no Apollo Server pipeline, operations compiled by
// graphql-jit) must answer every request it takes exactly as Apollo
// Server does: two subgraphs on one schema, one forced through Apollo Server's pipeline (a
// plugin needs it), each request sent to both, status, content type and body compared.

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  scalar DateTime
  interface Named { name: String! }
  type Query {
    named: [Named!]!
    at: DateTime!
    ping: String!
    echo(text: String!, times: Int): [String!]!
    refused: String
    broken: String
    teapot: String
    mustExist: String!
    item(id: ID!): Item
    me: String
  }
  type Item implements Named @key(fields: "id") { id: ID! name: String! missing: String! }
  type Place implements Named { name: String! city: String }
  type Mutation { add(a: Int!, b: Int!): Int! record(v: String!, delayMs: Int!): String! }
`);

const recorded = new Map<string, string[]>();

const resolvers = {
  DateTime: DateTimeScalar,
  Named: { __resolveType: (value: { city?: string }) => (value.city ? 'Place' : 'Item') },
  Item: { __resolveReference: ({ id }: { id: string }) => ({ id, name: `item ${id}`, missing: 'here' }) },
  Query: {
    named: () => [{ id: '1', name: 'one' }, { name: 'Paris office', city: 'Paris' }],
    at: () => new Date(Date.UTC(2026, 11, 4, 12, 30)),
    ping: () => 'pong',
    echo: (_: unknown, { text, times }: { text: string; times?: number }) => Array.from({ length: times ?? 1 }, () => text),
    refused: () => {
      throw new GraphQLError('Not yours', { extensions: { code: 'FORBIDDEN' } });
    },
    broken: () => {
      throw new Error('connection to 10.0.0.1 refused: select * from secret');
    },
    teapot: () => {
      throw new GraphQLError('I am a teapot', { extensions: { code: 'BAD_REQUEST', http: { status: 418 } } });
    },
    mustExist: () => null,
    item: (_: unknown, { id }: { id: string }) => ({ id, name: `item ${id}`, missing: null }),
    me: (_: unknown, __: unknown, ctx: unknown) => (ctx as { caller: { userId: string } | null }).caller?.userId ?? null,
  },
  Mutation: {
    add: (_: unknown, { a, b }: { a: number; b: number }) => a + b,
    // What the request's mutations did so far, in order: a slow first field must finish before the second starts.
    record: async (_: unknown, { v, delayMs }: { v: string; delayMs: number }, ctx: unknown) => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const done = (recorded.get((ctx as { requestId: string }).requestId) ?? []).concat(v);
      recorded.set((ctx as { requestId: string }).requestId, done);
      return done.join(',');
    },
  },
};

let db: TestDatabase;
let events: TestEvents;
let direct: Subgraph;
let apollo: Subgraph;

const start = (name: string, database: string, plugins: object[]) =>
  createSubgraph({
    name,
    config: loadConfig(subgraphEnv(0, 'unused'), { DATABASE_URL: database, PORT: '0', ...events.env, PUBSUB_PREFIX: `${events.env.JOBS_PREFIX}:live` }),
    schema: buildSubgraphSchema({ typeDefs, resolvers }),
    entities: [],
    migrations: [],
    log: testLogger(),
    plugins,
  });

beforeAll(async () => {
  db = await createTestDatabase('direct_execution');
  events = createTestEvents('direct-execution');
  direct = await start('direct', db.url, []);
  apollo = await start('apollo', db.url, [{}]);
}, 60_000);

afterAll(async () => {
  await direct?.close();
  await apollo?.close();
  await events?.close();
  await db?.drop();
});

interface Answer {
  status: number;
  contentType: string | null;
  body: string;
}

const post = async (subgraph: Subgraph, body: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
  const res = await fetch(`${subgraph.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, contentType: res.headers.get('content-type'), body: await res.text() };
};

/** Sends `body` to both subgraphs; expects the same answer, and returns it with how many requests Apollo Server ran on the direct one. */
async function both(body: unknown, headers?: Record<string, string>) {
  const spy = jest.spyOn(ApolloServer.prototype, 'executeHTTPGraphQLRequest');
  try {
    const viaApollo = await post(apollo, body, headers);
    const apolloCalls = spy.mock.calls.length;
    const viaDirect = await post(direct, body, headers);
    expect(viaDirect).toEqual(viaApollo);
    return { answer: viaDirect, apolloRanDirect: spy.mock.calls.length - apolloCalls, apolloRanApollo: apolloCalls };
  } finally {
    spy.mockRestore();
  }
}

describe('requests the direct path answers (Apollo Server not involved)', () => {
  it.each([
    ['a query', { query: '{ ping }' }],
    ['variables and a list', { query: 'query Echo($t: String!, $n: Int) { echo(text: $t, times: $n) }', variables: { t: 'hi', n: 3 }, operationName: 'Echo' }],
    ['null variables and operation name', { query: '{ ping }', variables: null, operationName: null }],
    ['one of several operations', { query: 'query A { ping } query B { echo(text: "b") }', operationName: 'B' }],
    ['a mutation', { query: 'mutation { add(a: 2, b: 3) }' }],
    ['mutation fields one after the other', { query: 'mutation { first: record(v: "1", delayMs: 40) second: record(v: "2", delayMs: 0) }' }],
    ['an error with a code', { query: '{ ping refused }' }],
    ['an internal error (masked)', { query: '{ broken }' }],
    ['an error setting the HTTP status', { query: '{ teapot }' }],
    ['a null non-null field', { query: '{ mustExist }' }],
    ['a null non-null field deeper', { query: '{ item(id: "1") { id name missing } }' }],
    ['a variable of the wrong type (400)', { query: 'query ($n: Int) { echo(text: "x", times: $n) }', variables: { n: 'many' } }],
    ['a missing required variable (400)', { query: 'query ($t: String!) { echo(text: $t) }', variables: {} }],
    ['extensions other than a persisted query', { query: '{ ping }', extensions: { clientLibrary: 'x' } }],
    ['an interface, fragments and aliases', { query: 'query { all: named { __typename name ... on Place { city } ...I } } fragment I on Item { id }' }],
    ['@skip and @include by variables', { query: 'query ($s: Boolean!, $i: Boolean!) { named { name @skip(if: $s) ... on Place @include(if: $i) { city } } }', variables: { s: true, i: false } }],
    ['a custom scalar', { query: '{ at }' }],
    ['entities by key (federation)', { query: 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Item { id name missing } } }', variables: { r: [{ __typename: 'Item', id: '7' }] } }],
    ['a variable inside a representation literal', { query: 'query ($id: ID!) { _entities(representations: [{ __typename: "Item", id: $id }]) { ... on Item { id name } } }', variables: { id: '9' } }],
    ['an entity representation of an unknown type', { query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Item { id } } }', variables: { r: [{ __typename: 'Nope', id: '7' }] } }],
    ['the subgraph\'s SDL (federation)', { query: '{ _service { sdl } }' }],
    ['__typename at the root', { query: '{ __typename ping }' }],
  ])('%s', async (_name, body) => {
    const { answer, apolloRanDirect, apolloRanApollo } = await both(body);
    expect(apolloRanApollo).toBe(1);
    expect(apolloRanDirect).toBe(0);
    expect(answer.body.endsWith('\n')).toBe(true);
  });

  it('answers in the content type the Accept header prefers, as Apollo Server negotiates it', async () => {
    const { answer, apolloRanDirect } = await both({ query: '{ ping }' }, { accept: 'application/graphql-response+json, application/json;q=0.9' });
    expect(answer.contentType).toBe('application/graphql-response+json; charset=utf-8');
    expect(apolloRanDirect).toBe(0);
    expect((await both({ query: '{ ping }' }, { accept: 'application/json' })).answer.contentType).toBe('application/json; charset=utf-8');
  });

  it('keeps the status and code of the errors it answers', async () => {
    const teapot = (await both({ query: '{ teapot }' })).answer;
    expect(teapot.status).toBe(418);
    expect(JSON.parse(teapot.body).errors[0].extensions).toEqual({ code: 'BAD_REQUEST' });
    const masked = (await both({ query: '{ broken }' })).answer;
    expect(masked.body).not.toMatch(/secret|10\.0\.0\.1/);
    expect(JSON.parse(masked.body).errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    const coercion = (await both({ query: 'query ($n: Int) { echo(text: "x", times: $n) }', variables: { n: 'many' } })).answer;
    expect(coercion.status).toBe(400);
    expect(JSON.parse(coercion.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('requests it hands to Apollo Server (answered as before)', () => {
  it.each([
    ['a syntax error', { query: '{ ping' }],
    ['a validation error', { query: '{ nope }' }],
    ['an unknown operation name', { query: 'query A { ping }', operationName: 'B' }],
    ['several operations and no name', { query: 'query A { ping } query B { ping }' }],
    ['a persisted query', { extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }],
    ['variables as a string', { query: '{ ping }', variables: '{}' }],
    ['a NUL in a variable', { query: 'query ($t: String!) { echo(text: $t) }', variables: { t: 'a\u0000b' } }],
    ['a NUL in a literal', { query: '{ echo(text: "a\\u0000b") }' }],
    ['a subscription', { query: 'subscription { ping }' }],
  ])('%s', async (_name, body) => {
    const { apolloRanDirect } = await both(body);
    expect(apolloRanDirect).toBe(1);
  });

  it('an Accept header that takes no JSON (406)', async () => {
    const { answer, apolloRanDirect } = await both({ query: '{ ping }' }, { accept: 'text/html' });
    expect(answer.status).toBe(406);
    expect(apolloRanDirect).toBe(1);
  });

  it('a malformed Authorization header (the caller is refused on either path)', async () => {
    const { answer, apolloRanDirect } = await both({ query: '{ me }' }, { authorization: 'Basic abc' });
    expect(answer.status).toBe(401);
    expect(apolloRanDirect).toBe(1);
  });
});

it('records the requests it answers in the metrics as Apollo Server does', async () => {
  const series = async (subgraph: Subgraph) =>
    (await subgraph.metrics.registry.getMetricsAsJSON())
      .filter((m) => m.name === 'atrium_graphql_requests_total' || m.name === 'atrium_graphql_errors_total')
      .map((m) => ({ name: m.name, values: m.values.map((v) => ({ ...v.labels, service: undefined, value: v.value })) }));
  await both({ query: 'query Named { ping }' });
  await both({ query: 'query Failing { refused }' });
  expect(await series(direct)).toEqual(await series(apollo));
  expect(JSON.stringify(await series(direct))).toMatch(/"operation":"Failing".*"code":"FORBIDDEN"/);
});
