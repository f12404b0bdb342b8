import { createHash } from 'node:crypto';
import { composeServices } from '@apollo/composition';
import { DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import { ApolloGateway, LocalGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createAuthorizer, type Caller } from './index';

// Proves, through a real @apollo/gateway (query planner and executor), that a refused field
// costs no subgraph fetch and that the rest of the operation's data still comes back.

const header = (imports: string) =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ${imports})\n`;

const ACCOUNTS = parse(`${header('["@key", "@authenticated", "@requiresScopes"]')}
  type Query { me: User @authenticated }
  type User @key(fields: "id") {
    id: ID!
    name: String
    email: String @requiresScopes(scopes: [["email:read"]])
  }
`);
const REVIEWS = parse(`${header('["@key", "@authenticated"]')}
  type Query { topReviews: [Review!]! feed: [FeedItem!]! }
  interface FeedItem { id: ID! }
  type Review implements FeedItem { id: ID! body: String author: User }
  type Photo implements FeedItem { id: ID! url: String @authenticated }
  type User @key(fields: "id", resolvable: false) { id: ID! }
`);

const users: Record<string, { id: string; name: string; email: string }> = {
  u1: { id: 'u1', name: 'Ada', email: 'ada@example.com' },
  u2: { id: 'u2', name: 'Grace', email: 'grace@example.com' },
};
const reviews = [
  { __typename: 'Review', id: 'r1', body: 'Quiet and bright', author: { id: 'u1' } },
  { __typename: 'Review', id: 'r2', body: 'Great coffee', author: { id: 'u2' } },
];

/** A local subgraph that records the operations the gateway sends it. */
class CountingDataSource extends LocalGraphQLDataSource {
  readonly fetches: string[] = [];

  override process(options: GraphQLDataSourceProcessOptions) {
    this.fetches.push(options.request.query ?? '');
    return super.process(options);
  }
}

const subgraphs = {
  accounts: new CountingDataSource(
    buildSubgraphSchema({
      typeDefs: ACCOUNTS,
      resolvers: {
        Query: { me: () => users.u1 },
        User: { __resolveReference: ({ id }: { id: string }) => users[id] },
      },
    }),
  ),
  reviews: new CountingDataSource(
    buildSubgraphSchema({
      typeDefs: REVIEWS,
      resolvers: {
        Query: {
          topReviews: () => reviews,
          feed: () => [reviews[0], { __typename: 'Photo', id: 'p1', url: 'https://img.example/p1.jpg' }],
        },
        FeedItem: { __resolveType: (item: { __typename: string }) => item.__typename },
      },
    }),
  ),
};

/**
 * @apollo/gateway refuses supergraphs linking `for: SECURITY` specs it does not enforce. Here
 * the authorizer enforces them, so this test gateway accepts them (test-only loader; the
 * production one lives with the gateway server).
 */
const SUPPORTED_FEATURES = new Set([
  ...DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES,
  'https://specs.apollo.dev/authenticated/v0.1',
  'https://specs.apollo.dev/requiresScopes/v0.1',
  'https://specs.apollo.dev/policy/v0.1',
]);
class SecurityAwareGateway extends ApolloGateway {}
// `createSchemaFromSupergraphSdl` is private in the typings, hence defineProperty.
Object.defineProperty(SecurityAwareGateway.prototype, 'createSchemaFromSupergraphSdl', {
  value(this: { createServices(services: unknown): void }, supergraphSdl: string) {
    const supergraph = Supergraph.build(supergraphSdl, { supportedFeatures: SUPPORTED_FEATURES, validateSupergraph: true });
    this.createServices(supergraph.subgraphsMetadata());
    return { supergraph, supergraphSdl };
  },
});

const composition = composeServices(
  Object.keys(subgraphs).map((name) => ({
    name,
    url: `http://${name}`,
    typeDefs: name === 'accounts' ? ACCOUNTS : REVIEWS,
  })),
);
if (composition.errors) throw new Error(composition.errors.map((error) => error.message).join('\n'));
const supergraphSdl = composition.supergraphSdl;

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const authorizer = createAuthorizer(supergraphSdl, {});
let gateway: ApolloGateway;
let executor: GatewayExecutor;

beforeAll(async () => {
  gateway = new SecurityAwareGateway({
    supergraphSdl,
    buildService: ({ name }) => subgraphs[name as keyof typeof subgraphs],
    logger: silent,
  });
  const loaded = await gateway.load();
  if (!loaded.executor) throw new Error('the gateway did not load');
  executor = loaded.executor;
});

afterAll(() => gateway.stop());

beforeEach(() => {
  for (const subgraph of Object.values(subgraphs)) subgraph.fetches.length = 0;
});

/** What the gateway's request pipeline does around the executor: authorize, execute, complete. */
async function run(query: string, caller: Caller | null) {
  const document = parse(query);
  const decision = authorizer.authorize({ document, caller });
  if (decision.skipExecution) return { decision, result: decision.complete({}) };
  const requestContext = {
    request: { query },
    document: decision.document,
    // The signature keeps filtered operations apart in the query-plan cache.
    queryHash: `${createHash('sha256').update(query).digest('hex')}:${decision.signature}`,
    operationName: null,
    context: {},
    logger: silent,
    metrics: {},
    overallCachePolicy: {},
  } as unknown as GatewayGraphQLRequestContext;
  const response = await executor(requestContext);
  return { decision, result: decision.complete(response) };
}

describe('authorization in front of @apollo/gateway', () => {
  it('fetches nothing from the subgraph that only served a refused field, and returns the rest', async () => {
    const { result } = await run('{ topReviews { body author { id email } } }', null);
    expect(subgraphs.accounts.fetches).toEqual([]);
    expect(subgraphs.reviews.fetches).toHaveLength(1);
    expect(subgraphs.reviews.fetches[0]).not.toContain('email');
    expect(result.data).toEqual({
      topReviews: [
        { body: 'Quiet and bright', author: { id: 'u1', email: null } },
        { body: 'Great coffee', author: { id: 'u2', email: null } },
      ],
    });
    expect(result.errors).toEqual([
      expect.objectContaining({ path: ['topReviews', 0, 'author', 'email'], extensions: { code: 'UNAUTHENTICATED' } }),
      expect.objectContaining({ path: ['topReviews', 1, 'author', 'email'], extensions: { code: 'UNAUTHENTICATED' } }),
    ]);
  });

  it('fetches the protected field from its subgraph for a caller holding the scope', async () => {
    const caller = { userId: 'u1', roles: [], scopes: ['email:read'] };
    const { decision, result } = await run('{ topReviews { body author { id email } } }', caller);
    expect(decision.signature).toBe('');
    expect(subgraphs.accounts.fetches).toHaveLength(1);
    expect(result).toEqual({
      data: {
        topReviews: [
          { body: 'Quiet and bright', author: { id: 'u1', email: 'ada@example.com' } },
          { body: 'Great coffee', author: { id: 'u2', email: 'grace@example.com' } },
        ],
      },
    });
  });

  it('never calls a subgraph when every root field is refused', async () => {
    const { decision, result } = await run('{ me { name } }', null);
    expect(decision.skipExecution).toBe(true);
    expect([...subgraphs.accounts.fetches, ...subgraphs.reviews.fetches]).toEqual([]);
    expect(result).toEqual({
      data: { me: null },
      errors: [expect.objectContaining({ path: ['me'], extensions: { code: 'UNAUTHENTICATED' } })],
    });
  });

  it('keeps refused fields under type conditions apart by runtime type through the query planner', async () => {
    const { result } = await run('{ feed { id ... on Photo { url } ... on Review { body } } }', null);
    expect(subgraphs.reviews.fetches[0]).not.toContain('url');
    expect(result.data).toEqual({
      feed: [
        { id: 'r1', body: 'Quiet and bright' },
        { id: 'p1', url: null },
      ],
    });
    expect(result.errors).toEqual([
      {
        message: 'Not authorized to access Photo.url: requires authentication',
        path: ['feed', 1, 'url'],
        extensions: { code: 'UNAUTHENTICATED' },
      },
    ]);
  });
});
