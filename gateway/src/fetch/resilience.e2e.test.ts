import { errorCodes, graphql } from '@atrium/kit/testing';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gateway } from '../gateway';
import { startForeignSupergraph, type ForeignSupergraph } from '../testing/foreign-supergraph';
import { suiteGateways } from '../testing/start-gateway';

let foreign: ForeignSupergraph;
const fronts: Server[] = [];

const gateways = suiteGateways(() => ({ ...foreign.env }));
const startGateway = gateways.start;

/**
 * A front for a subgraph that answers 503 to the first `failures` requests and passes the
 * rest through: a subgraph restarting, a load balancer between two replicas.
 */
async function flakyFront(target: string, failures: number) {
  const seen = { requests: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      seen.requests++;
      if (seen.requests <= failures) {
        res.writeHead(503).end('unavailable');
        return;
      }
      const answer = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
    });
  });
  fronts.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, seen };
}

beforeAll(async () => {
  foreign = await startForeignSupergraph({ p1Stars: [5] });
});

afterAll(async () => {
  await gateways.closeAll();
  for (const f of fronts) await new Promise((resolve) => f.close(resolve));
  await foreign?.close();
});

describe('retries of idempotent fetches', () => {
  it('retries a query whose subgraph answered 503 once, and the client never knows', async () => {
    const front = await flakyFront(foreign.urls.reviews, 1);
    const gateway = await startGateway({ SUBGRAPH_REVIEWS_URL: front.url });
    const res = await graphql(`${gateway.url}/graphql`, '{ products { name reviews { stars } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data!.products[0]).toEqual({ name: 'Lamp', reviews: [{ stars: 5 }] });
    expect(front.seen.requests).toBe(2);
  });

  it('gives up after SUBGRAPH_RETRIES extra attempts with SUBGRAPH_UNAVAILABLE', async () => {
    const front = await flakyFront(foreign.urls.reviews, 10);
    const gateway = await startGateway({ SUBGRAPH_REVIEWS_URL: front.url, SUBGRAPH_RETRIES: '2' });
    const res = await graphql(`${gateway.url}/graphql`, '{ products { name reviews { stars } } }');
    expect(errorCodes(res)).toContain('SUBGRAPH_UNAVAILABLE');
    expect(front.seen.requests).toBe(3);
  });

  it('never sends a mutation twice', async () => {
    const front = await flakyFront(foreign.urls.products, 1);
    const gateway = await startGateway({ SUBGRAPH_PRODUCTS_URL: front.url });
    const res = await graphql(`${gateway.url}/graphql`, 'mutation { login(email: "a@b.c") }');
    expect(errorCodes(res)).toContain('SUBGRAPH_UNAVAILABLE');
    expect(front.seen.requests).toBe(1);
  });
});

describe('automatic persisted queries', () => {
  const query = '{ products { name } }';
  const sha256Hash = createHash('sha256').update(query).digest('hex');
  const send = (gateway: Gateway, body: Record<string, unknown>) =>
    fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
      async (r) => (await r.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] },
    );
  const hashOnly = { extensions: { persistedQuery: { version: 1, sha256Hash } } };

  it('registers a query on one replica and serves its hash alone on another, through Redis', async () => {
    const prefix = `test:apq:${randomUUID()}`;
    const [first, second] = [await startGateway({ APQ_PREFIX: prefix }), await startGateway({ APQ_PREFIX: prefix })];
    expect((await send(second, hashOnly)).errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await send(first, { query, ...hashOnly })).data).toEqual({ products: [{ name: 'Lamp' }, { name: 'Chair' }] });
    expect((await send(second, hashOnly)).data).toEqual({ products: [{ name: 'Lamp' }, { name: 'Chair' }] });
  });

  it('refuses hashes alone with APQ=off', async () => {
    const gateway = await startGateway({ APQ: 'off' });
    expect((await send(gateway, { query, ...hashOnly })).errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
  });
});
