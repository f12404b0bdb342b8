import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { waitFor } from '@atrium/kit/testing';
import { startLiveSupergraph, type LiveSupergraph } from '../testing/live-supergraph';
import { suiteGateways } from '../testing/start-gateway';

// @defer through the gateway over HTTP: `multipart/mixed; deferSpec=20220824` when the
// client's Accept asks for it (Apollo Client's HttpLink does, with its defer handler), one
// ordinary response otherwise. Against a supergraph of the test's own: `Product.reviews`
// comes from a second subgraph, so deferring it defers a fetch.

let live: LiveSupergraph;
const gateways = suiteGateways(() => ({ SUPERGRAPH_PATH: live.supergraphPath }));

beforeAll(async () => {
  live = await startLiveSupergraph();
});

afterAll(async () => {
  await gateways.closeAll();
  await live?.close();
});

const DEFERRED = `query Product { product(id: "p1") { id name ... @defer(label: "reviews") { reviews { stars } } } }`;
const ACCEPT_DEFER = 'multipart/mixed;deferSpec=20220824,application/json';

/** The parts of a multipart/mixed body, each part's JSON. */
function parts(body: string, contentType: string): unknown[] {
  const boundary = `\r\n--${/boundary="?([^";]+)"?/.exec(contentType)?.[1]}`;
  return body
    .split(boundary)
    .map((part) => part.slice(part.indexOf('\r\n\r\n') + 4).trim())
    .filter((json) => json.startsWith('{'))
    .map((json) => JSON.parse(json));
}

describe('@defer through the gateway', () => {
  it('sends the initial payload, then the deferred part, as multipart/mixed with deferSpec=20220824', async () => {
    const gateway = await gateways.start();
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: ACCEPT_DEFER },
      body: JSON.stringify({ query: DEFERRED }),
    });
    expect(res.status).toBe(200);
    const contentType = res.headers.get('content-type') ?? '';
    expect(contentType).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
    const body = await res.text();
    expect(body.endsWith('\r\n-----\r\n')).toBe(true);
    expect(parts(body, contentType)).toEqual([
      { data: { product: { id: 'p1', name: 'Product p1' } }, hasNext: true },
      { hasNext: false, incremental: [{ data: { reviews: [{ stars: 2 }] }, path: ['product'], label: 'reviews' }] },
    ]);
  });

  it('answers one ordinary response with everything when the client does not ask for parts', async () => {
    const gateway = await gateways.start();
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: DEFERRED }),
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ data: { product: { id: 'p1', name: 'Product p1', reviews: [{ stars: 2 }] } } });
  });

  it('works with Apollo Client: the deferred field arrives after the rest, in a second result', async () => {
    const gateway = await gateways.start();
    const client = new ApolloClient({
      link: new HttpLink({ uri: `${gateway.url}/graphql` }),
      cache: new InMemoryCache(),
      incrementalHandler: new Defer20220824Handler(),
    });
    const results: { data?: unknown; dataState?: string }[] = [];
    const sub = client.watchQuery({ query: gql(DEFERRED) }).subscribe({ next: (r) => results.push(r as never) });
    try {
      await waitFor(async () => results.some((r) => r.dataState === 'complete') || undefined);
      const streaming = results.find((r) => r.dataState === 'streaming');
      expect(streaming?.data).toEqual({ product: { __typename: 'Product', id: 'p1', name: 'Product p1' } });
      expect(results.find((r) => r.dataState === 'complete')?.data).toEqual({
        product: { __typename: 'Product', id: 'p1', name: 'Product p1', reviews: [{ __typename: 'Review', stars: 2 }] },
      });
    } finally {
      sub.unsubscribe();
    }
  });

  it('keeps a failing deferred part to itself: the initial payload has its data, the part its error at its path', async () => {
    const gateway = await gateways.start();
    // Last in this file: the reviews subgraph stays down.
    await live.stop('reviews');
    {
      const res = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: ACCEPT_DEFER },
        body: JSON.stringify({ query: DEFERRED }),
      });
      const [initial, rest] = parts(await res.text(), res.headers.get('content-type') ?? '') as [unknown, { incremental: { errors: unknown[] }[] }];
      expect(initial).toEqual({ data: { product: { id: 'p1', name: 'Product p1' } }, hasNext: true });
      expect(rest).toMatchObject({ hasNext: false, incremental: [{ path: ['product'], label: 'reviews' }] });
      expect(rest.incremental[0].errors).toEqual(expect.arrayContaining([expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE' }) })]));
      // Nothing of the subgraph's internals reaches the client.
      expect(JSON.stringify(rest)).not.toMatch(/ECONNREFUSED|stack/);
    }
  });
});
