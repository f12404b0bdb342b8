import { createHash } from 'node:crypto';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, LocalGraphQLDataSource } from '@apollo/gateway';
import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { atriumExecutor } from './atrium-executor';

// The gateway's executor with Atrium's plan executor, beside @apollo/gateway's own on the same
// loaded gateway: same responses, the same plan cache, variables validated the same way.

const LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])`;
const ACCOUNTS = parse(`${LINK}
  type Query { me: User }
  type User @key(fields: "id") { id: ID! name: String! }`);
const REVIEWS = parse(`${LINK}
  type Query { topReviews(first: Int!): [Review!]! }
  type Review { id: ID! body: String author: User }
  type User @key(fields: "id") { id: ID! reviews: [Review!]! }`);

const users: Record<string, { id: string; name: string }> = { u1: { id: 'u1', name: 'Ada' }, u2: { id: 'u2', name: 'Grace' } };
const reviews = [
  { id: 'r1', body: 'Quiet', author: { id: 'u1' } },
  { id: 'r2', body: 'Loud', author: { id: 'u2' } },
];
const services = {
  accounts: new LocalGraphQLDataSource(
    buildSubgraphSchema({
      typeDefs: ACCOUNTS,
      resolvers: { Query: { me: () => users.u1 }, User: { __resolveReference: ({ id }: { id: string }) => users[id] } } as never,
    }),
  ),
  reviews: new LocalGraphQLDataSource(
    buildSubgraphSchema({
      typeDefs: REVIEWS,
      resolvers: {
        Query: { topReviews: (_: unknown, { first }: { first: number }) => reviews.slice(0, first) },
        User: { reviews: ({ id }: { id: string }) => reviews.filter((r) => r.author.id === id) },
      } as never,
    }),
  ),
};
const composition = composeServices([
  { name: 'accounts', url: 'http://accounts', typeDefs: ACCOUNTS },
  { name: 'reviews', url: 'http://reviews', typeDefs: REVIEWS },
]);
if (composition.errors) throw new Error(composition.errors.map((e) => e.message).join('\n'));

const silent = { debug() {}, info() {}, warn() {}, error() {} };
let gateway: ApolloGateway;
let stock: GatewayExecutor;
let atrium: GatewayExecutor;
let plansBuilt = 0;

beforeAll(async () => {
  gateway = new ApolloGateway({
    supergraphSdl: composition.supergraphSdl,
    buildService: ({ name }) => services[name as keyof typeof services],
    logger: silent,
  });
  const loaded = await gateway.load();
  stock = loaded.executor!;
  atrium = atriumExecutor(gateway);
  const planner = (gateway as unknown as { queryPlanner: { buildQueryPlan: (...args: unknown[]) => unknown } }).queryPlanner;
  const build = planner.buildQueryPlan.bind(planner);
  planner.buildQueryPlan = (...args) => {
    plansBuilt++;
    return build(...args);
  };
});
afterAll(() => gateway.stop());

function request(query: string, variables?: Record<string, unknown>, operationName?: string): GatewayGraphQLRequestContext {
  return {
    request: { query, variables, operationName },
    document: parse(query),
    queryHash: createHash('sha256').update(query).digest('hex'),
    operationName: operationName ?? null,
    context: {},
    logger: silent,
    metrics: {},
    cache: undefined,
    overallCachePolicy: {},
  } as unknown as GatewayGraphQLRequestContext;
}

const json = (value: unknown) => JSON.parse(JSON.stringify(value));

it('answers as @apollo/gateway does, with its plan cache shared', async () => {
  const query = `query Top($n: Int!) { topReviews(first: $n) { body author { name reviews { id } } } me { name } }`;
  const built = plansBuilt;
  const expected = json(await stock(request(query, { n: 2 }, 'Top')));
  const actual = json(await atrium(request(query, { n: 2 }, 'Top')));
  expect(actual).toEqual(expected);
  expect(actual.data.topReviews[1].author.name).toBe('Grace');
  expect(plansBuilt - built).toBe(1);
});

it('plans on a cache miss itself', async () => {
  const query = `{ me { name reviews { body } } }`;
  const actual = json(await atrium(request(query)));
  expect(actual).toEqual({ data: { me: { name: 'Ada', reviews: [{ body: 'Quiet' }] } } });
  expect(json(await stock(request(query)))).toEqual(actual);
});

it('refuses variables that do not fit, as @apollo/gateway does', async () => {
  const query = `query($n: Int!) { topReviews(first: $n) { id } }`;
  const actual = json(await atrium(request(query, { n: 'two' })));
  expect(actual).toEqual(json(await stock(request(query, { n: 'two' }))));
  expect(actual.errors[0].message).toMatch(/\$n/);
});
