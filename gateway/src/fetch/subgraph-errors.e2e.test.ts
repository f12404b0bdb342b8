import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphql } from '@atrium/kit/testing';
import { execute, GraphQLError, GraphQLScalarType, parse, validate, type GraphQLSchema } from 'graphql';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadGatewayConfig } from '../config';
import { createGateway, type Gateway } from '../gateway';

// Subgraphs that are not Atrium's, served by graphql-js alone, as many GraphQL servers do:
// errors without codes, a 400 for a request that does not validate. The gateway must keep
// the caller's mistakes the caller's, pass subgraphs' errors on without their internals,
// and place every error of a fetch at the fields it cost.
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])';
const INTERNAL = 'connect ECONNRESET 10.0.3.7:5432 (pool "orders-primary")';

/** Like graphql-scalars' DateTime, without codes: a TypeError is all graphql-js gets. */
const Instant = new GraphQLScalarType({
  name: 'Instant',
  parseValue: (value) => {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw new TypeError(`Instant cannot represent ${JSON.stringify(value)}`);
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== 'StringValue' || Number.isNaN(Date.parse(ast.value))) throw new TypeError('Instant cannot represent this literal');
    return ast.value;
  },
});

const SUBGRAPHS = {
  products: {
    typeDefs: parse(`${LINK}
      scalar Instant
      type Query { products: [Product!]! broken: String priceAt(at: Instant!): Int }
      type Product @key(fields: "id") { id: ID! name: String! }`),
    resolvers: {
      Instant,
      Query: {
        products: () => [
          { id: 'p1', name: 'Lamp' },
          { id: 'p2', name: 'Chair' },
        ],
        broken: () => {
          throw new Error(INTERNAL);
        },
        priceAt: () => 100,
      },
      Product: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: ref.id === 'p1' ? 'Lamp' : 'Chair' }) },
    },
  },
  reviews: {
    typeDefs: parse(`${LINK}
      type Product @key(fields: "id") { id: ID! reviews: [Review!] }
      type Review { stars: Int! }`),
    resolvers: { Product: { reviews: () => [{ stars: 5 }] } },
  },
};
type Name = keyof typeof SUBGRAPHS;

/** One subgraph over plain HTTP with graphql-js: 400 for what does not parse, validate or coerce, codes nowhere. */
async function serveBare(schema: GraphQLSchema) {
  const seen = { requests: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      seen.requests++;
      const reply = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const { query, variables, operationName } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      let document;
      try {
        document = parse(query);
      } catch (err) {
        return reply(400, { errors: [(err as GraphQLError).toJSON()] });
      }
      const invalid = validate(schema, document);
      if (invalid.length) return reply(400, { errors: invalid.map((e) => e.toJSON()) });
      const result = await execute({ schema, document, variableValues: variables, operationName });
      const errors = result.errors?.map((e) => e.toJSON());
      return reply(result.data === undefined ? 400 : 200, { data: result.data, errors });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let subgraphs: Record<Name, Awaited<ReturnType<typeof serveBare>>>;
let supergraphPath: string;
const gateways: Gateway[] = [];

/** A gateway on this supergraph, with a logger this test reads. */
async function startGateway(env: Record<string, string> = {}) {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const gateway = await createGateway(
    loadGatewayConfig({
      PORT: '0',
      SUPERGRAPH_PATH: supergraphPath,
      SUBGRAPH_PRODUCTS_URL: subgraphs.products.url,
      SUBGRAPH_REVIEWS_URL: subgraphs.reviews.url,
      RATE_LIMIT: 'off',
      APQ: 'off',
      ...env,
    }),
    { log },
  );
  gateways.push(gateway);
  return { url: `${gateway.url}/graphql`, gateway, lines, errorsLogged: () => lines.filter((l) => l.level >= 50) };
}

const post = async (url: string, body: unknown) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as { data?: any; errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[] } };
};

beforeAll(async () => {
  subgraphs = {
    products: await serveBare(buildSubgraphSchema(SUBGRAPHS.products as never)),
    reviews: await serveBare(buildSubgraphSchema(SUBGRAPHS.reviews as never)),
  };
  const composed = composeServices(
    (Object.keys(SUBGRAPHS) as Name[]).map((name) => ({ name, url: 'http://127.0.0.1:9/graphql', typeDefs: SUBGRAPHS[name].typeDefs })),
  );
  if (composed.errors) throw composed.errors[0];
  supergraphPath = path.join(mkdtempSync(path.join(tmpdir(), 'atrium-errors-')), 'supergraph.graphql');
  writeFileSync(supergraphPath, composed.supergraphSdl);
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.close();
  for (const subgraph of Object.values(subgraphs ?? {})) await subgraph.close().catch(() => undefined);
});

describe("a subgraph's refusal of a caller's argument (HTTP 400)", () => {
  it('is the caller’s BAD_USER_INPUT at the field, sent once, and never opens the circuit', async () => {
    const { url, gateway } = await startGateway({ SUBGRAPH_RETRIES: '2', CIRCUIT_VOLUME_THRESHOLD: '2', CIRCUIT_ERROR_PERCENTAGE: '10' });
    const before = subgraphs.products.seen.requests;
    const res = await post(url, { query: '{ priceAt(at: "not-a-date") }' });
    expect(res.body.data).toEqual({ priceAt: null });
    expect(res.body.errors).toEqual([
      {
        message: 'Expected value of type "Instant!", found "not-a-date"; Instant cannot represent this literal',
        path: ['priceAt'],
        extensions: { code: 'BAD_USER_INPUT', serviceName: 'products' },
      },
    ]);
    // A variable the subgraph refuses: the same, and not retried (SUBGRAPH_RETRIES=2 would send it 3 times).
    const variable = await post(url, { query: 'query($at: Instant!) { priceAt(at: $at) }', variables: { at: 'yesterday' } });
    expect(variable.body.errors!.map((e) => [e.path, e.extensions!.code])).toEqual([[['priceAt'], 'BAD_USER_INPUT']]);
    expect(subgraphs.products.seen.requests - before).toBe(2);
    // Refusals are answers, not failures: after many of them the subgraph is still called.
    for (let i = 0; i < 5; i++) await post(url, { query: '{ priceAt(at: "2026-02-30T99:00:00Z") }' });
    expect((await post(url, { query: '{ priceAt(at: "2026-11-22T09:00:00Z") }' })).body).toEqual({ data: { priceAt: 100 } });
    expect(await (await fetch(`${gateway.url}/metrics`)).text()).toContain('atrium_subgraph_circuit_open{subgraph="products"} 0');
  });
});

describe("a subgraph's own errors", () => {
  it('pass without their internals: an error without a code is DOWNSTREAM_SERVICE_ERROR with a generic message, not logged as the gateway’s', async () => {
    const { url, errorsLogged, lines } = await startGateway();
    const res = await post(url, { query: '{ products { name } broken }' });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ products: [{ name: 'Lamp' }, { name: 'Chair' }], broken: null });
    expect(res.body.errors).toEqual([
      { message: 'Subgraph "products" failed to resolve this field', path: ['broken'], extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'products' } },
    ]);
    expect(res.text).not.toContain('10.0.3.7');
    expect(errorsLogged()).toEqual([]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, subgraph: 'products', path: ['broken'], subgraphMessage: INTERNAL }));
  });

  it('carry the path of every field a subgraph that is down would have provided, and null only what the schema forces', async () => {
    // A reviews subgraph of this gateway's own, stopped: the shared one serves the other tests.
    const doomed = await serveBare(buildSubgraphSchema(SUBGRAPHS.reviews as never));
    const { url } = await startGateway({ SUBGRAPH_REVIEWS_URL: doomed.url, SUBGRAPH_RETRIES: '0' });
    await doomed.close();
    const res = await post(url, { query: '{ products { name reviews { stars } } }' });
    // `reviews` is nullable: the products stay, each with its own error.
    expect(res.body.data).toEqual({ products: [{ name: 'Lamp', reviews: null }, { name: 'Chair', reviews: null }] });
    const unavailable = { message: 'Subgraph "reviews" is unavailable', extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'reviews' } };
    expect(res.body.errors).toEqual([
      { ...unavailable, path: ['products', 0, 'reviews'] },
      { ...unavailable, path: ['products', 1, 'reviews'] },
    ]);
  });
});

describe('requests the gateway cannot run as sent', () => {
  it('answer 400 OPERATION_RESOLUTION_FAILURE for several operations without operationName, or an unknown one, logged as no error', async () => {
    const { url, errorsLogged } = await startGateway();
    const two = await post(url, { query: 'query A { products { id } } query B { products { name } }' });
    expect(two.status).toBe(400);
    expect(two.body).toEqual({
      errors: [{ message: 'Must provide operation name if query contains multiple operations.', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }],
    });
    const unknown = await post(url, { query: 'query A { products { id } }', operationName: 'Nope' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ errors: [{ message: 'Unknown operation named "Nope".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }] });
    expect((await post(url, { query: 'query A { products { id } } query B { products { name } }', operationName: 'B' })).body).toEqual({
      data: { products: [{ name: 'Lamp' }, { name: 'Chair' }] },
    });
    expect(errorsLogged()).toEqual([]);
  });

  it('answer a query-planner crash with a clean INTERNAL_SERVER_ERROR and log it', async () => {
    const { url, gateway, errorsLogged } = await startGateway();
    const planner = (gateway.gateway.inner as unknown as { queryPlanner: { buildQueryPlan: (...args: unknown[]) => unknown } }).queryPlanner;
    const build = planner.buildQueryPlan;
    // The planner has its bugs; this is how one surfaces (a message of @apollo/query-planner's).
    planner.buildQueryPlan = () => {
      throw new Error('Was not able to find any options for id: 17 (planner internals: Product@products)');
    };
    try {
      const res = await post(url, { query: '{ crashing: products { id } }' });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      expect(res.text).not.toMatch(/Was not able|options for id|planner/);
      expect(errorsLogged()).toEqual([expect.objectContaining({ msg: 'unexpected error', err: expect.objectContaining({ message: expect.stringContaining('Was not able') }) })]);
    } finally {
      planner.buildQueryPlan = build;
    }
  });
});
