import { errorCodes, graphql } from '@atrium/kit/testing';
import { scrape, startForeignSupergraph, type ForeignSupergraph } from './testing/foreign-supergraph';
import { PRODUCTION_ENV, suiteGateways } from './testing/start-gateway';

let foreign: ForeignSupergraph;

const gateways = suiteGateways(() => ({ ...foreign.env }));
const startGateway = gateways.start;

beforeAll(async () => {
  foreign = await startForeignSupergraph({ p1Stars: [5, 4] });
});

afterAll(async () => {
  await gateways.closeAll();
  await foreign?.close();
});

describe('the gateway', () => {
  it('serves any valid supergraph file, planning across its subgraphs through overridden routing URLs', async () => {
    const gateway = await startGateway();
    const res = await graphql(`${gateway.url}/graphql`, '{ products { name reviews { stars } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      products: [
        { name: 'Lamp', reviews: [{ stars: 5 }, { stars: 4 }] },
        { name: 'Chair', reviews: [] },
      ],
    });
  });

  it('reports live on /health, ready on /ready, and every dependency on /status', async () => {
    const gateway = await startGateway();
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    const ready = await fetch(`${gateway.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
    expect(await (await fetch(`${gateway.url}/status`)).json()).toEqual({
      service: 'gateway',
      ready: true,
      subgraphs: { products: 'up', reviews: 'up' },
      circuits: { products: 'closed', reviews: 'closed' },
      redis: 'up',
    });
  });

  it('stays ready while a subgraph is unreachable (one subgraph down takes no gateway out of service), answering SUBGRAPH_UNAVAILABLE for its fields', async () => {
    const gateway = await startGateway({ SUBGRAPH_REVIEWS_URL: 'http://127.0.0.1:9/graphql' });
    const ready = await fetch(`${gateway.url}/ready`, { signal: AbortSignal.timeout(1_000) });
    expect(ready.status).toBe(200);
    expect(await (await fetch(`${gateway.url}/status`)).json()).toMatchObject({ ready: true, subgraphs: { products: 'up', reviews: 'down' }, redis: 'up' });
    const metrics = await scrape(gateway);
    expect(metrics('atrium_dependency_up{service="gateway",dependency="reviews"}')).toBe(0);
    expect(metrics('atrium_dependency_up{service="gateway",dependency="products"}')).toBe(1);
    const res = await graphql(`${gateway.url}/graphql`, '{ products { name reviews { stars } } }');
    expect(errorCodes(res)).toContain('SUBGRAPH_UNAVAILABLE');
    expect(JSON.stringify(res)).not.toMatch(/ECONNREFUSED|stack/);
  });

  it('is not ready once it starts draining', async () => {
    const gateway = await startGateway();
    const closing = gateway.close();
    const ready = await fetch(`${gateway.url}/ready`).then((r) => r.status, () => 'refused');
    await closing;
    expect([503, 'refused']).toContain(ready);
  });

  it('counts requests per operation and fetches per subgraph on /metrics', async () => {
    const gateway = await startGateway();
    const requests = 'atrium_graphql_requests_total{service="gateway",operation="ProductReviews",status="ok"}';
    const fetches = (subgraph: string) => `atrium_subgraph_requests_total{subgraph="${subgraph}",status="ok"}`;
    const before = await scrape(gateway);
    const res = await graphql(`${gateway.url}/graphql`, 'query ProductReviews { products { name reviews { stars } } }');
    expect(res.errors).toBeUndefined();
    const after = await scrape(gateway);
    expect(after(requests) - before(requests)).toBe(1);
    // One fetch for the products, one batched entity fetch for all their reviews.
    expect(after(fetches('products')) - before(fetches('products'))).toBe(1);
    expect(after(fetches('reviews')) - before(fetches('reviews'))).toBe(1);
    expect(after('atrium_subgraph_request_duration_seconds_count{subgraph="reviews"}')).toBeGreaterThanOrEqual(1);
    expect(after('atrium_subscriptions_open')).toBe(0);
  });

  it('counts an unreachable subgraph\'s fetches as errors', async () => {
    const gateway = await startGateway({ SUBGRAPH_REVIEWS_URL: 'http://127.0.0.1:9/graphql' });
    await graphql(`${gateway.url}/graphql`, 'query ProductReviews { products { name reviews { stars } } }');
    const after = await scrape(gateway);
    expect(after('atrium_subgraph_requests_total{subgraph="reviews",status="error"}')).toBe(2); // tried, then retried once (SUBGRAPH_RETRIES)
    // One error per product whose reviews are missing (Lamp and Chair), each at its path.
    expect(after('atrium_graphql_errors_total{service="gateway",operation="ProductReviews",code="SUBGRAPH_UNAVAILABLE"}')).toBe(2);
  });

  it('leads / to Sandbox in development', async () => {
    const gateway = await startGateway();
    const root = await fetch(`${gateway.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/graphql');
    const page = await fetch(`${gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).toMatch(/sandbox/i);
  });

  it('turns off introspection and Sandbox in production', async () => {
    const gateway = await startGateway(PRODUCTION_ENV);
    const res = await graphql(`${gateway.url}/graphql`, '{ __schema { types { name } } }');
    expect(errorCodes(res)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const page = await fetch(`${gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(400);
    expect(await page.text()).not.toMatch(/sandbox/i);
  });

  it('rejects a malformed Authorization header with 401 UNAUTHENTICATED', async () => {
    const gateway = await startGateway();
    const res = await graphql(`${gateway.url}/graphql`, '{ products { name } }', {}, { headers: { authorization: 'Basic abc' } });
    expect(res.status).toBe(401);
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
  });

  it('allows the configured CORS origins and no others', async () => {
    const gateway = await startGateway({ CORS_ORIGINS: 'https://app.example' });
    const preflight = (origin: string) =>
      fetch(`${gateway.url}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect((await preflight('https://app.example')).headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('fails fast with a clear message when the supergraph file is missing', async () => {
    await expect(startGateway({ SUPERGRAPH_PATH: '/nonexistent/supergraph.graphql' })).rejects.toThrow(/SUPERGRAPH_PATH: cannot read/);
  });
});
