import { createTestIssuer, errorCodes, graphql, type TestIssuer } from '@atrium/kit/testing';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gateway } from '../gateway';
import { scrape, startForeignSupergraph, type ForeignSupergraph } from '../testing/foreign-supergraph';
import { suiteGateways } from '../testing/start-gateway';

// In-flight deduplication of subgraph queries (fetch/dedup.ts) through a real gateway: the
// products subgraph sits behind a gate that counts every request and holds its answer
// until the test opens it, so which fetches are in flight together is decided by the test,
// never by timing.

let foreign: ForeignSupergraph;
let issuer: TestIssuer;
let jwks: { url: string; close(): Promise<void> };
const fronts: Server[] = [];

const gateways = suiteGateways(() => ({
  ...foreign.env,
  JWKS_URL: jwks.url,
  RATE_LIMIT_LOGIN: '1000',
}));

/** An access token for `userId`, as identity would sign it. */
const token = (userId: string) => issuer.token({ userId });

interface Seen {
  authorization: string | undefined;
  body: string;
}

/** The gateway's readiness probe of a subgraph: passed through at once, and not counted. */
const HEALTH_CHECK = JSON.stringify({ query: '{ __typename }' });

/**
 * A front for the products subgraph that records each request of a client's operation and
 * holds it until `open()`; `fail` answers 503 instead of passing it through.
 */
async function gatedFront(options: { fail?: boolean } = {}) {
  const seen: Seen[] = [];
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString();
      const probe = body === HEALTH_CHECK;
      if (!probe) {
        seen.push({ authorization: req.headers.authorization, body });
        await opened;
      }
      if (options.fail && !probe) {
        res.writeHead(503).end('unavailable');
        return;
      }
      const answer = await fetch(foreign.urls.products, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
    });
  });
  fronts.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, seen, open };
}

/** Waits until `condition` holds (each check a real observation: requests seen, /metrics scraped). */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 5));
}

const SERIES = 'atrium_subgraph_fetches_deduplicated_total{subgraph="products"}';
const deduplicated = async (gateway: Gateway) => (await scrape(gateway))(SERIES);

const QUERY = '{ products { id name } }';
const PRODUCTS = [
  { id: 'p1', name: 'Lamp' },
  { id: 'p2', name: 'Chair' },
];
const N = 5;

beforeAll(async () => {
  issuer = await createTestIssuer();
  jwks = await issuer.serveJwks();
  foreign = await startForeignSupergraph({ p1Stars: [5] });
});

afterAll(async () => {
  await gateways.closeAll();
  for (const f of fronts) await new Promise((resolve) => f.close(resolve));
  await foreign?.close();
  await jwks?.close();
});

describe('in-flight deduplication of subgraph queries (SUBGRAPH_DEDUP)', () => {
  it('answers N concurrent identical queries of one caller with 1 subgraph request, and counts N-1 deduplicated', async () => {
    const front = await gatedFront();
    const gateway = await gateways.start({ SUBGRAPH_PRODUCTS_URL: front.url });
    const alice = await token('alice');
    const before = await deduplicated(gateway);
    const answers = Array.from({ length: N }, () => graphql(`${gateway.url}/graphql`, QUERY, {}, { token: alice }));
    // Every one of the N fetches reached the data source while the first is held at the gate.
    await until(async () => front.seen.length >= 1 && (await deduplicated(gateway)) >= before + N - 1);
    front.open();
    for (const res of await Promise.all(answers)) {
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ products: PRODUCTS });
    }
    expect(front.seen).toHaveLength(1);
    expect(front.seen[0].authorization).toBe(`Bearer ${alice}`);
    expect(await deduplicated(gateway)).toBe(before + N - 1);
  });

  it('shares among anonymous callers too, and never after a fetch settled: sequential queries each fetch', async () => {
    const front = await gatedFront();
    front.open();
    const gateway = await gateways.start({ SUBGRAPH_PRODUCTS_URL: front.url });
    for (let i = 0; i < 3; i++) expect((await graphql(`${gateway.url}/graphql`, QUERY)).data).toEqual({ products: PRODUCTS });
    expect(front.seen).toHaveLength(3);
    expect(await deduplicated(gateway)).toBe(0);
  });

  it('never merges the queries of different callers: N each from two tokens and anonymous → 3 requests, each with its own identity', async () => {
    const front = await gatedFront();
    const gateway = await gateways.start({ SUBGRAPH_PRODUCTS_URL: front.url });
    const [alice, bob] = [await token('alice'), await token('bob')];
    const before = await deduplicated(gateway);
    const answers = [alice, bob, undefined].flatMap((t) => Array.from({ length: N }, () => graphql(`${gateway.url}/graphql`, QUERY, {}, { token: t })));
    // Three callers (alice, bob, anonymous), N queries each: one request each, N-1 shared each.
    await until(async () => front.seen.length >= 3 && (await deduplicated(gateway)) >= before + 3 * (N - 1));
    front.open();
    for (const res of await Promise.all(answers)) expect(res.data).toEqual({ products: PRODUCTS });
    expect(front.seen).toHaveLength(3);
    expect(front.seen.map((s) => s.authorization).sort()).toEqual([`Bearer ${alice}`, `Bearer ${bob}`, undefined].sort());
    expect(new Set(front.seen.map((s) => s.body)).size).toBe(1);
    expect(await deduplicated(gateway)).toBe(before + 3 * (N - 1));
  });

  it('never merges mutations: N concurrent identical mutations → N requests', async () => {
    const front = await gatedFront();
    const gateway = await gateways.start({ SUBGRAPH_PRODUCTS_URL: front.url });
    const alice = await token('alice');
    const mutation = 'mutation { register(input: { email: "dedup@example.com" }) }';
    const answers = Array.from({ length: N }, () => graphql(`${gateway.url}/graphql`, mutation, {}, { token: alice }));
    // All N held at the gate at once: nothing was waiting on another.
    await until(() => front.seen.length >= N);
    front.open();
    for (const res of await Promise.all(answers)) expect(res.data).toEqual({ register: 'account' });
    expect(front.seen).toHaveLength(N);
    expect(new Set(front.seen.map((s) => s.body)).size).toBe(1);
    expect(await deduplicated(gateway)).toBe(0);
  });

  it('with SUBGRAPH_DEDUP=off, N concurrent identical queries → N requests', async () => {
    const front = await gatedFront();
    const gateway = await gateways.start({ SUBGRAPH_PRODUCTS_URL: front.url, SUBGRAPH_DEDUP: 'off' });
    const alice = await token('alice');
    const answers = Array.from({ length: N }, () => graphql(`${gateway.url}/graphql`, QUERY, {}, { token: alice }));
    await until(() => front.seen.length >= N);
    front.open();
    for (const res of await Promise.all(answers)) expect(res.data).toEqual({ products: PRODUCTS });
    expect(front.seen).toHaveLength(N);
    expect(await deduplicated(gateway)).toBe(0);
  });

  it('fails every sharer as the fetch would have failed alone: one request retried once, SUBGRAPH_UNAVAILABLE for all', async () => {
    const front = await gatedFront({ fail: true });
    const gateway = await gateways.start({ SUBGRAPH_PRODUCTS_URL: front.url, SUBGRAPH_RETRIES: '1' });
    const before = await deduplicated(gateway);
    const answers = Array.from({ length: N }, () => graphql(`${gateway.url}/graphql`, QUERY));
    await until(async () => front.seen.length >= 1 && (await deduplicated(gateway)) >= before + N - 1);
    front.open();
    const results = await Promise.all(answers);
    for (const res of results) {
      expect(res.data).toBeNull();
      expect(errorCodes(res)).toEqual(['SUBGRAPH_UNAVAILABLE']);
      expect(res.errors).toEqual(results[0].errors);
    }
    // The first attempt and its one retry: the retry belongs to the shared request, not to each sharer.
    expect(front.seen).toHaveLength(2);
  });
});
