import { composeServices } from '@apollo/composition';
import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import { buildOperationContext, executeQueryPlan, type GraphQLDataSource } from '@apollo/gateway';
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, GraphQLError, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { executePlan } from './plan-executor';
import { compileShape } from './response-shape';

/**
 * Atrium's executor against @apollo/gateway's `executeQueryPlan` on small in-memory
 * subgraphs: every operation runs through both, and the responses (data, errors with their
 * paths and codes, extensions) must be equal once serialized as a client would receive them.
 */

const LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides"])`;

const users = [
  { id: 'u1', name: 'Ada', nickname: 'ada' },
  { id: 'u2', name: 'Grace', nickname: null },
];
const products = [
  { upc: 'p1', name: 'Chair', price: 100, weight: 5 },
  { upc: 'p2', name: 'Table', price: 300, weight: 20 },
  { upc: 'p3', name: 'Lamp', price: 40, weight: 1 },
];
const reviews = [
  { id: 'r1', body: 'Comfy', authorId: 'u1', upc: 'p1' },
  { id: 'r2', body: 'Wobbly', authorId: 'u2', upc: 'p2' },
  { id: 'r3', body: 'Bright', authorId: 'u1', upc: 'p3' },
  { id: 'r4', body: 'Sturdy', authorId: 'u2', upc: 'p1' },
  // By a user accounts does not know: its entity comes back null, and User.name is String!.
  { id: 'r5', body: 'Anonymous', authorId: 'u9', upc: 'p2' },
];

const subgraphs = [
  {
    name: 'accounts',
    typeDefs: `${LINK}
      type Query { me: User, users: [User!]! }
      type User @key(fields: "id") { id: ID! name: String! nickname: String! }`,
    resolvers: {
      Query: { me: () => users[0], users: () => users },
      // nickname is non-null but Grace has none: a null in a non-null position.
      User: { __resolveReference: (ref: { id: string }) => users.find((u) => u.id === ref.id) },
    },
  },
  {
    name: 'products',
    typeDefs: `${LINK}
      type Query { topProducts(first: Int = 5): [Product!]! items: [Item!]! node(id: ID!): Node }
      interface Node { id: ID! }
      union Item = Product | Gift
      type Gift implements Node { id: ID! label: String }
      type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }`,
    resolvers: {
      Query: {
        topProducts: (_: unknown, { first }: { first: number }) => products.slice(0, first),
        items: () => [{ __typename: 'Product', ...products[0] }, { __typename: 'Gift', id: 'g1', label: 'Bow' }],
        node: (_: unknown, { id }: { id: string }) => (id === 'g1' ? { id: 'g1', label: 'Bow' } : null),
      },
      Item: { __resolveType: (o: { __typename: string }) => o.__typename },
      Node: { __resolveType: () => 'Gift' },
      Product: { __resolveReference: (ref: { upc: string }) => products.find((p) => p.upc === ref.upc) },
    },
  },
  {
    name: 'inventory',
    typeDefs: `${LINK}
      type Product @key(fields: "upc") {
        upc: String!
        price: Int @external
        weight: Int @external
        inStock: Boolean
        shippingEstimate: Int @requires(fields: "price weight")
      }`,
    resolvers: {
      Product: {
        __resolveReference: (ref: { upc: string; price?: number; weight?: number }) => ref,
        inStock: (p: { upc: string }) => p.upc !== 'p2',
        shippingEstimate: (p: { price: number; weight: number }) => (p.price > 200 ? 0 : p.weight * 2),
      },
    },
  },
  {
    name: 'reviews',
    typeDefs: `${LINK}
      type Review { id: ID! body: String author: User product: Product }
      type User @key(fields: "id") { id: ID! reviews: [Review!]! }
      type Product @key(fields: "upc") { upc: String! reviews: [Review] rating: Float! }`,
    resolvers: {
      Review: {
        author: (r: { authorId: string }) => ({ __typename: 'User', id: r.authorId }),
        product: (r: { upc: string }) => ({ __typename: 'Product', upc: r.upc }),
      },
      User: {
        __resolveReference: (ref: { id: string }) => ref,
        reviews: (u: { id: string }) => reviews.filter((r) => r.authorId === u.id),
      },
      Product: {
        __resolveReference: (ref: { upc: string }) => ref,
        reviews: (p: { upc: string }) => {
          if (p.upc === 'p3') throw new GraphQLError('reviews are down for p3', { extensions: { code: 'REVIEWS_DOWN' } });
          return reviews.filter((r) => r.upc === p.upc);
        },
        // Not rated yet: null in a non-null position, from an entity fetch.
        rating: (p: { upc: string }) => (p.upc === 'p2' ? null : 4.5),
      },
    },
  },
];

interface Fixture {
  supergraphSchema: GraphQLSchema;
  apiSchema: Schema;
  apiGraphQLSchema: GraphQLSchema;
  planner: QueryPlanner;
  dataSources: Record<string, GraphQLDataSource>;
  fetches: string[];
}

function buildFixture(): Fixture {
  const composed = composeServices(subgraphs.map((s) => ({ name: s.name, typeDefs: parse(s.typeDefs), url: `http://${s.name}.invalid` })));
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  const supergraph = Supergraph.build(composed.supergraphSdl);
  const apiSchema = supergraph.apiSchema();
  const fetches: string[] = [];
  const dataSources = Object.fromEntries(
    subgraphs.map((s) => {
      const schema = buildSubgraphSchema([{ typeDefs: parse(s.typeDefs), resolvers: s.resolvers as never }]);
      const source: GraphQLDataSource = {
        async process({ request }) {
          fetches.push(s.name);
          const result = await execute({ schema, document: parse(request.query!), variableValues: request.variables });
          // As over HTTP: plain JSON, errors as their serialized form.
          return JSON.parse(JSON.stringify(result));
        },
      };
      return [s.name, source];
    }),
  );
  return {
    supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
    apiSchema,
    apiGraphQLSchema: apiSchema.toGraphQLJSSchema(),
    planner: new QueryPlanner(supergraph),
    dataSources,
    fetches,
  };
}

const fixture = buildFixture();

function plan(query: string, operationName?: string): { plan: QueryPlan; document: ReturnType<typeof parse> } {
  const document = parse(query);
  const operation = operationFromDocument(fixture.apiSchema, document, { operationName });
  return { plan: fixture.planner.buildQueryPlan(operation), document };
}

function requestContext(variables: Record<string, unknown> | undefined): GatewayGraphQLRequestContext {
  return { request: { variables }, context: {}, metrics: {}, logger: console } as unknown as GatewayGraphQLRequestContext;
}

async function both(query: string, variables?: Record<string, unknown>, operationName?: string) {
  const { plan: queryPlan, document } = plan(query, operationName);
  const stock = await executeQueryPlan(
    queryPlan,
    fixture.dataSources,
    requestContext(variables),
    buildOperationContext({ schema: fixture.apiGraphQLSchema, operationDocument: document, operationName }),
    fixture.supergraphSchema,
    fixture.apiSchema,
  );
  const atrium = await executePlan(queryPlan, {
    supergraphSchema: fixture.supergraphSchema,
    apiSchema: fixture.apiSchema,
    operation: { document, operationName },
    variables,
    dataSources: fixture.dataSources,
    requestContext: requestContext(variables),
  });
  return { stock: serialized(stock), atrium: serialized(atrium), queryPlan };
}

const serialized = (result: ExecutionResult | object) => JSON.parse(JSON.stringify(result));

async function expectSame(query: string, variables?: Record<string, unknown>, operationName?: string) {
  const { stock, atrium } = await both(query, variables, operationName);
  expect(atrium).toEqual(stock);
  return atrium;
}

describe('executePlan, compared with @apollo/gateway executeQueryPlan', () => {
  it('entities across three subgraphs, with nested lists', async () => {
    const result = await expectSame(`{
      topProducts { upc name inStock reviews { body author { name reviews { product { name } } } } }
    }`);
    expect(result.data.topProducts[0].reviews[0].author.name).toBe('Ada');
    expect(result.errors).toBeDefined(); // p3's reviews are down
  });

  it('@requires: representations carry the required fields', async () => {
    const result = await expectSame(`{ topProducts(first: 2) { name shippingEstimate } }`);
    expect(result).toEqual({ data: { topProducts: [{ name: 'Chair', shippingEstimate: 10 }, { name: 'Table', shippingEstimate: 0 }] } });
  });

  it('a null in a non-null position bubbles to the nearest nullable parent', async () => {
    // User.nickname is String! and Grace has none: her whole User becomes null, the list is [User!]! so data is null.
    const root = await expectSame(`{ users { id nickname } }`);
    expect(root.data).toBeNull();
    // In the gateway: the author accounts does not know comes back null from _entities, User.name is String!,
    // so the author is null; as the stock executor does, the error comes in extensions.valueCompletion
    // (when no fetch failed).
    const gateway = await expectSame(`{ topProducts(first: 2) { name reviews { body author { name } } } }`);
    expect(gateway.data.topProducts[1].reviews[1]).toEqual({ body: 'Anonymous', author: null });
    expect(gateway.extensions.valueCompletion).toEqual([
      expect.objectContaining({ message: 'Cannot return null for non-nullable field User.name.', path: ['topProducts', 1, 'reviews', 1, 'author', 'name'] }),
    ]);
    // From an entity fetch: Product.rating is Float! and p2 has none; reviews' product is nullable.
    const nested = await expectSame(`{ users { id reviews { body product { upc rating } } } }`);
    expect(nested.data.users[1].reviews.map((r: { product: unknown }) => r.product)).toContainEqual(null);
  });

  it('aliases, fragments, __typename, abstract types and @include / @skip on variables', async () => {
    const query = `query Q($withPrice: Boolean!, $noName: Boolean = false) {
      first: topProducts(first: 1) { ...P  inStock @include(if: $withPrice) }
      items { __typename ... on Product { label: name cost: price @include(if: $withPrice) } ... on Gift { id label } }
      node(id: "g1") { __typename id ... on Gift { label } }
      me { handle: name @skip(if: $noName) kind: __typename }
    }
    fragment P on Product { __typename upc name @skip(if: $noName) price @include(if: $withPrice) }`;
    const on = await expectSame(query, { withPrice: true }, 'Q');
    expect(on.data.items[0]).toEqual({ __typename: 'Product', label: 'Chair', cost: 100 });
    const off = await expectSame(query, { withPrice: false, noName: true }, 'Q');
    expect(off.data.first[0]).toEqual({ __typename: 'Product', upc: 'p1' });
  });

  it("an erroring subgraph: its errors at the client's paths, beside the data that came", async () => {
    const result = await expectSame(`{ topProducts { upc reviews { body } } }`);
    expect(result.errors).toEqual([
      expect.objectContaining({ message: 'reviews are down for p3', path: ['topProducts', 2, 'reviews'], extensions: expect.objectContaining({ code: 'REVIEWS_DOWN', serviceName: 'reviews' }) }),
    ]);
    expect(result.data.topProducts[2]).toEqual({ upc: 'p3', reviews: null });
  });

  it('a subgraph that cannot be reached: the fetch fails, the rest of the plan runs', async () => {
    const { plan: queryPlan, document } = plan(`{ topProducts(first: 1) { name inStock } }`);
    const failing = { ...fixture.dataSources, inventory: { process: () => Promise.reject(new Error('connect ECONNREFUSED')) } };
    const result = await executePlan(queryPlan, {
      supergraphSchema: fixture.supergraphSchema,
      apiSchema: fixture.apiSchema,
      operation: { document },
      dataSources: failing,
      requestContext: requestContext(undefined),
    });
    expect(result.data).toEqual({ topProducts: [{ name: 'Chair', inStock: null }] });
    expect(result.errors?.map((e) => e.message)).toEqual(['connect ECONNREFUSED']);
  });

  it('introspection fields beside federated ones', async () => {
    const result = await expectSame(`{ __typename t: __type(name: "Product") { name fields { name } } me { name } }`);
    expect(result.data.t.name).toBe('Product');
  });

  it('a Condition node picks its branch from the variable', async () => {
    const query = `query($r: Boolean!) { me { name reviews @include(if: $r) { body } } }`;
    const { queryPlan } = await both(query, { r: true });
    expect(JSON.stringify(queryPlan)).toContain('"Condition"');
    await expectSame(query, { r: true });
    await expectSame(query, { r: false });
  });

  it('runs the same plan again from its caches with the same result', async () => {
    const query = `{ topProducts { name shippingEstimate reviews { author { name } } } }`;
    const { plan: queryPlan, document } = plan(query);
    const context = {
      supergraphSchema: fixture.supergraphSchema,
      apiSchema: fixture.apiSchema,
      operation: { document },
      dataSources: fixture.dataSources,
      requestContext: requestContext(undefined),
    };
    const first = serialized(await executePlan(queryPlan, context));
    const second = serialized(await executePlan(queryPlan, context));
    expect(second).toEqual(first);
    const operation = operationFromDocument(fixture.apiSchema, document);
    expect(compileShape(operation)).toBe(compileShape(operation));
  });

  it('refuses @defer plans clearly', async () => {
    const { plan: queryPlan, document } = plan(`{ me { name } }`);
    const deferPlan: QueryPlan = { kind: 'QueryPlan', node: { kind: 'Defer', primary: { node: queryPlan.node as never }, deferred: [] } };
    await expect(
      executePlan(deferPlan, {
        supergraphSchema: fixture.supergraphSchema,
        apiSchema: fixture.apiSchema,
        operation: { document },
        dataSources: fixture.dataSources,
        requestContext: requestContext(undefined),
      }),
    ).rejects.toThrow(/@defer/);
  });
});
