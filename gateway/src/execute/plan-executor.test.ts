import { composeServices } from '@apollo/composition';
import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import type { GraphQLDataSource } from '@apollo/gateway';
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { executePlanIncrementally } from './incremental';
import { executePlan } from './plan-executor';
import { productsReviews } from '../../../test/conformance/supergraphs/products-reviews';
import { compileShape } from './response-shape';

/**
 * Atrium's executor on small in-memory subgraphs, each response (data, errors with their
 * paths and codes, extensions) compared with the one expected once serialized as a client
 * would receive it. The expected responses are @apollo/gateway's own answers to the same plans
 * (the differential comparison with it is the conformance tier's: this supergraph and these
 * operations are its `products-reviews`, test/conformance/supergraphs/products-reviews.ts).
 */

// The fixture of the conformance tier, where the same supergraph is compared with the oracle.
const subgraphs = productsReviews.subgraphs;

interface Fixture {
  supergraph: Supergraph;
  supergraphSchema: GraphQLSchema;
  apiSchema: Schema;
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
    supergraph,
    supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
    apiSchema,
    planner: new QueryPlanner(supergraph),
    dataSources,
    fetches,
  };
}

const fixture = buildFixture();

const deferPlanner = new QueryPlanner(fixture.supergraph, { incrementalDelivery: { enableDefer: true } });

function plan(query: string, operationName?: string, planner = fixture.planner): { plan: QueryPlan; document: ReturnType<typeof parse> } {
  const document = parse(query);
  const operation = operationFromDocument(fixture.apiSchema, document, { operationName });
  return { plan: planner.buildQueryPlan(operation), document };
}

function requestContext(variables: Record<string, unknown> | undefined): GatewayGraphQLRequestContext {
  return { request: { variables }, context: {}, metrics: {}, logger: console } as unknown as GatewayGraphQLRequestContext;
}

async function executeQuery(query: string, variables?: Record<string, unknown>, operationName?: string, planner = fixture.planner) {
  const { plan: queryPlan, document } = plan(query, operationName, planner);
  const result = await executePlan(queryPlan, {
    supergraphSchema: fixture.supergraphSchema,
    apiSchema: fixture.apiSchema,
    operation: { document, operationName },
    variables,
    dataSources: fixture.dataSources,
    requestContext: requestContext(variables),
  });
  return { result: serialized(result), queryPlan };
}

const serialized = (result: ExecutionResult | object) => JSON.parse(JSON.stringify(result));

/** Runs `query` and expects exactly `expected` (as a client receives it: serialized). */
async function expectResult(query: string, expected: object, variables?: Record<string, unknown>, operationName?: string) {
  const { result } = await executeQuery(query, variables, operationName);
  expect(result).toEqual(expected);
  return result;
}

describe('executePlan', () => {
  it('entities across three subgraphs, with nested lists', async () => {
    const result = await expectResult(`{
      topProducts { upc name inStock reviews { body author { name reviews { product { name } } } } }
    }`, {
      errors: [
        {
          message: 'reviews are down for p3',
          path: ['topProducts', 2, 'reviews'],
          extensions: { code: 'REVIEWS_DOWN', serviceName: 'reviews' },
        },
      ],
      data: {
        topProducts: [
          {
            upc: 'p1',
            name: 'Chair',
            inStock: true,
            reviews: [
              { body: 'Comfy', author: { name: 'Ada', reviews: [{ product: { name: 'Chair' } }, { product: { name: 'Lamp' } }] } },
              { body: 'Sturdy', author: { name: 'Grace', reviews: [{ product: { name: 'Table' } }, { product: { name: 'Chair' } }] } },
            ],
          },
          {
            upc: 'p2',
            name: 'Table',
            inStock: false,
            reviews: [
              { body: 'Wobbly', author: { name: 'Grace', reviews: [{ product: { name: 'Table' } }, { product: { name: 'Chair' } }] } },
              { body: 'Anonymous', author: null },
            ],
          },
          { upc: 'p3', name: 'Lamp', inStock: true, reviews: null },
        ],
      },
    });
    expect(result.data.topProducts[0].reviews[0].author.name).toBe('Ada');
    expect(result.errors).toBeDefined(); // p3's reviews are down
  });

  it('@requires: representations carry the required fields', async () => {
    await expectResult(`{ topProducts(first: 2) { name shippingEstimate } }`, {
      data: { topProducts: [{ name: 'Chair', shippingEstimate: 10 }, { name: 'Table', shippingEstimate: 0 }] },
    });
  });

  it('a null in a non-null position bubbles to the nearest nullable parent', async () => {
    // User.nickname is String! and Grace has none: her whole User becomes null, the list is [User!]! so data is null.
    const root = await expectResult(`{ users { id nickname } }`, {
      errors: [
        {
          message: 'Cannot return null for non-nullable field User.nickname.',
          path: ['users', 1, 'nickname'],
          extensions: { serviceName: 'accounts', code: 'DOWNSTREAM_SERVICE_ERROR' },
        },
      ],
      data: null,
    });
    expect(root.data).toBeNull();
    // In the gateway: the author accounts does not know comes back null from _entities, User.name is String!,
    // so the author is null; as the stock executor does, the error comes in extensions.valueCompletion
    // (when no fetch failed).
    const gateway = await expectResult(`{ topProducts(first: 2) { name reviews { body author { name } } } }`, {
      extensions: {
        valueCompletion: [
          {
            message: 'Cannot return null for non-nullable field User.name.',
            path: ['topProducts', 1, 'reviews', 1, 'author', 'name'],
            extensions: { code: 'INVALID_GRAPHQL' },
          },
        ],
      },
      data: {
        topProducts: [
          { name: 'Chair', reviews: [{ body: 'Comfy', author: { name: 'Ada' } }, { body: 'Sturdy', author: { name: 'Grace' } }] },
          { name: 'Table', reviews: [{ body: 'Wobbly', author: { name: 'Grace' } }, { body: 'Anonymous', author: null }] },
        ],
      },
    });
    expect(gateway.data.topProducts[1].reviews[1]).toEqual({ body: 'Anonymous', author: null });
    expect(gateway.extensions.valueCompletion).toEqual([
      expect.objectContaining({ message: 'Cannot return null for non-nullable field User.name.', path: ['topProducts', 1, 'reviews', 1, 'author', 'name'] }),
    ]);
    // From an entity fetch: Product.rating is Float! and p2 has none; reviews' product is nullable.
    const nested = await expectResult(`{ users { id reviews { body product { upc rating } } } }`, {
      errors: [
        {
          message: 'Cannot return null for non-nullable field Product.rating.',
          path: ['users', 1, 'reviews', 0, 'product', 'rating'],
          extensions: { serviceName: 'reviews', code: 'DOWNSTREAM_SERVICE_ERROR' },
        },
      ],
      data: {
        users: [
          {
            id: 'u1',
            reviews: [{ body: 'Comfy', product: { upc: 'p1', rating: 4.5 } }, { body: 'Bright', product: { upc: 'p3', rating: 4.5 } }],
          },
          { id: 'u2', reviews: [{ body: 'Wobbly', product: null }, { body: 'Sturdy', product: { upc: 'p1', rating: 4.5 } }] },
        ],
      },
    });
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
    const on = await expectResult(query, {
      data: {
        first: [{ __typename: 'Product', upc: 'p1', name: 'Chair', price: 100, inStock: true }],
        items: [{ __typename: 'Product', label: 'Chair', cost: 100 }, { __typename: 'Gift', id: 'g1', label: 'Bow' }],
        node: { __typename: 'Gift', id: 'g1', label: 'Bow' },
        me: { handle: 'Ada', kind: 'User' },
      },
    }, { withPrice: true }, 'Q');
    expect(on.data.items[0]).toEqual({ __typename: 'Product', label: 'Chair', cost: 100 });
    const off = await expectResult(query, {
      data: {
        first: [{ __typename: 'Product', upc: 'p1' }],
        items: [{ __typename: 'Product', label: 'Chair' }, { __typename: 'Gift', id: 'g1', label: 'Bow' }],
        node: { __typename: 'Gift', id: 'g1', label: 'Bow' },
        me: { kind: 'User' },
      },
    }, { withPrice: false, noName: true }, 'Q');
    expect(off.data.first[0]).toEqual({ __typename: 'Product', upc: 'p1' });
  });

  it("an erroring subgraph: its errors at the client's paths, beside the data that came", async () => {
    const result = await expectResult(`{ topProducts { upc reviews { body } } }`, {
      errors: [
        {
          message: 'reviews are down for p3',
          path: ['topProducts', 2, 'reviews'],
          extensions: { code: 'REVIEWS_DOWN', serviceName: 'reviews' },
        },
      ],
      data: {
        topProducts: [
          { upc: 'p1', reviews: [{ body: 'Comfy' }, { body: 'Sturdy' }] },
          { upc: 'p2', reviews: [{ body: 'Wobbly' }, { body: 'Anonymous' }] },
          { upc: 'p3', reviews: null },
        ],
      },
    });
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
    const result = await expectResult(`{ __typename t: __type(name: "Product") { name fields { name } } me { name } }`, {
      data: {
        __typename: 'Query',
        t: {
          name: 'Product',
          fields: [
            { name: 'upc' },
            { name: 'price' },
            { name: 'weight' },
            { name: 'inStock' },
            { name: 'shippingEstimate' },
            { name: 'name' },
            { name: 'reviews' },
            { name: 'rating' },
          ],
        },
        me: { name: 'Ada' },
      },
    });
    expect(result.data.t.name).toBe('Product');
  });

  it('a Condition node picks its branch from the variable', async () => {
    const query = `query($r: Boolean!) { me { name reviews @include(if: $r) { body } } }`;
    const { queryPlan } = await executeQuery(query, { r: true });
    expect(JSON.stringify(queryPlan)).toContain('"Condition"');
    await expectResult(query, { data: { me: { name: 'Ada', reviews: [{ body: 'Comfy' }, { body: 'Bright' }] } } }, { r: true });
    await expectResult(query, { data: { me: { name: 'Ada' } } }, { r: false });
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

  it('runs a plan with Defer nodes to the end: one complete result, as if nothing were deferred', async () => {
    const query = `{ topProducts(first: 2) { name ... @defer { inStock reviews { author { name } } } } }`;
    const { result, queryPlan } = await executeQuery(query, undefined, undefined, deferPlanner);
    expect(queryPlan.node?.kind).toBe('Defer');
    expect(result).toEqual({
      data: {
        topProducts: [
          { name: 'Chair', inStock: true, reviews: [{ author: { name: 'Ada' } }, { author: { name: 'Grace' } }] },
          { name: 'Table', inStock: false, reviews: [{ author: { name: 'Grace' } }, { author: null }] },
        ],
      },
      extensions: {
        valueCompletion: [{ message: 'Cannot return null for non-nullable field User.name.', path: ['topProducts', 1, 'reviews', 1, 'author', 'name'], extensions: { code: 'INVALID_GRAPHQL' } }],
      },
    });
  });
});

describe('executePlanIncrementally', () => {
  it('delivers the primary part first, then each deferred part at its place, the last payload saying hasNext: false', async () => {
    const { plan: queryPlan, document } = plan(`{ me { name ... @defer(label: "mine") { reviews { body } } } }`, undefined, deferPlanner);
    const execution = await executePlanIncrementally(queryPlan, {
      supergraphSchema: fixture.supergraphSchema,
      apiSchema: fixture.apiSchema,
      operation: { document },
      dataSources: fixture.dataSources,
      requestContext: requestContext(undefined),
    });
    expect(serialized(execution.initial)).toEqual({ data: { me: { name: 'Ada' } }, hasNext: true });
    const subsequent = [];
    for await (const payload of execution.subsequent) subsequent.push(serialized(payload));
    expect(subsequent).toEqual([
      { incremental: [{ data: { reviews: [{ body: 'Comfy' }, { body: 'Bright' }] }, path: ['me'], label: 'mine' }], hasNext: false },
    ]);
  });

  it('gives a plan without Defer nodes as one result with hasNext: false', async () => {
    const { plan: queryPlan, document } = plan(`{ me { name } }`);
    const execution = await executePlanIncrementally(queryPlan, {
      supergraphSchema: fixture.supergraphSchema,
      apiSchema: fixture.apiSchema,
      operation: { document },
      dataSources: fixture.dataSources,
      requestContext: requestContext(undefined),
    });
    expect(serialized(execution.initial)).toEqual({ data: { me: { name: 'Ada' } }, hasNext: false });
    for await (const payload of execution.subsequent) throw new Error(`unexpected payload ${JSON.stringify(payload)}`);
  });
});

describe('executePlanIncrementally, dependencies', () => {
  it('starts a deferred part once the fetch it depends on is done, without waiting for the rest of the primary', async () => {
    const { plan: queryPlan, document } = plan(`{ topProducts(first: 2) { name inStock ... @defer(label: "r") { reviews { body } } } }`, undefined, deferPlanner);
    const calls: string[] = [];
    // inventory (the rest of the primary) answers only once reviews (the deferred part) was asked.
    let reviewsAsked!: () => void;
    const reviewsCalled = new Promise<void>((resolve) => (reviewsAsked = resolve));
    const dataSources: Record<string, GraphQLDataSource> = {
      ...fixture.dataSources,
      inventory: {
        process: async (options) => {
          calls.push('inventory asked');
          await reviewsCalled;
          calls.push('inventory answers');
          return fixture.dataSources.inventory.process(options);
        },
      },
      reviews: {
        process: (options) => {
          calls.push('reviews asked');
          reviewsAsked();
          return fixture.dataSources.reviews.process(options);
        },
      },
    };
    const execution = await executePlanIncrementally(queryPlan, {
      supergraphSchema: fixture.supergraphSchema,
      apiSchema: fixture.apiSchema,
      operation: { document },
      dataSources,
      requestContext: requestContext(undefined),
    });
    // reviews was asked while inventory (the primary) was still waiting for it.
    expect([...calls].sort()).toEqual(['inventory answers', 'inventory asked', 'reviews asked']);
    expect(calls.indexOf('reviews asked')).toBeLessThan(calls.indexOf('inventory answers'));
    expect(serialized(execution.initial)).toEqual({ data: { topProducts: [{ name: 'Chair', inStock: true }, { name: 'Table', inStock: false }] }, hasNext: true });
    const items = [];
    for await (const payload of execution.subsequent) items.push(...serialized(payload).incremental);
    expect(items).toEqual([
      { data: { reviews: [{ body: 'Comfy' }, { body: 'Sturdy' }] }, path: ['topProducts', 0], label: 'r' },
      { data: { reviews: [{ body: 'Wobbly' }, { body: 'Anonymous' }] }, path: ['topProducts', 1], label: 'r' },
    ]);
  });
});
