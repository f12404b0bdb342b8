import { subscribe, waitFor, type TestSubscription } from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startForeignSupergraph, type ForeignSupergraph } from '../testing/foreign-supergraph';
import { startLiveSupergraph, type LiveSupergraph } from '../testing/live-supergraph';
import { suiteGateways } from '../testing/start-gateway';
import { documentId, MANIFEST_FORMAT } from './trusted-documents-manifest';

// Trusted documents through the whole gateway: over HTTP against a supergraph of products
// (testing/foreign-supergraph.ts), over WebSocket against one with a subscription
// (testing/live-supergraph.ts). Each gateway gets an APQ namespace of its own in Redis.

const PRODUCTS = 'query Products { products { id name } }';
const PRICES = 'subscription Prices($id: ID) { priceChanged(productId: $id) { id price } }';
const UNTRUSTED = 'query Untrusted { products { id } }';

let foreign: ForeignSupergraph;
let live: LiveSupergraph;
let manifestPath: string;
const subs: TestSubscription[] = [];

const gateways = suiteGateways(() => ({ ...foreign.env, TRUSTED_DOCUMENTS_MANIFEST: manifestPath, APQ_PREFIX: `test:apq:${randomUUID()}` }));

beforeAll(async () => {
  foreign = await startForeignSupergraph({ p1Stars: [5] });
  live = await startLiveSupergraph();
  manifestPath = path.join(mkdtempSync(path.join(tmpdir(), 'atrium-trusted-')), 'manifest.json');
  const operations = [
    { name: 'Products', type: 'query', body: PRODUCTS },
    { name: 'Prices', type: 'subscription', body: PRICES },
  ].map((op) => ({ id: documentId(op.body), ...op }));
  writeFileSync(manifestPath, JSON.stringify({ format: MANIFEST_FORMAT, version: 1, operations }));
});

afterAll(async () => {
  await Promise.all(subs.map((s) => s.close()));
  await gateways.closeAll();
  await foreign?.close();
  await live?.close();
});

interface Answer {
  status: number;
  data?: Record<string, unknown> | null;
  codes: unknown[];
}

/** Posts a GraphQL request as Apollo Client's persisted-queries link does: `query` optional, `extensions.persistedQuery`. */
async function post(url: string, request: { query?: string; sha256Hash?: string }): Promise<Answer> {
  const extensions = request.sha256Hash ? { persistedQuery: { version: 1, sha256Hash: request.sha256Hash } } : undefined;
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: request.query, extensions }),
  });
  return answer(res);
}

async function answer(res: Response): Promise<Answer> {
  const body = (await res.json()) as { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: unknown } }[] };
  return { status: res.status, data: body.data, codes: (body.errors ?? []).map((e) => e.extensions?.code) };
}

const products = { products: [{ id: 'p1', name: 'Lamp' }, { id: 'p2', name: 'Chair' }] };

describe('TRUSTED_DOCUMENTS=enforce', () => {
  it('runs a manifest operation sent by its id alone, by POST and by GET, with APQ in Redis or off', async () => {
    for (const APQ of ['redis', 'off']) {
      const gateway = await gateways.start({ TRUSTED_DOCUMENTS: 'enforce', APQ });
      expect(await post(gateway.url, { sha256Hash: documentId(PRODUCTS) })).toEqual({ status: 200, data: products, codes: [] });
      const extensions = encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: documentId(PRODUCTS) } }));
      // GET needs a header that forces a preflight (Apollo Server's CSRF prevention), as Apollo Client sends.
      const get = await fetch(`${gateway.url}/graphql?extensions=${extensions}`, { headers: { 'apollo-require-preflight': 'true' } });
      expect(await answer(get)).toEqual({ status: 200, data: products, codes: [] });
    }
  });

  it('runs a manifest operation sent in full, with or without its hash', async () => {
    const gateway = await gateways.start({ TRUSTED_DOCUMENTS: 'enforce' });
    expect(await post(gateway.url, { query: PRODUCTS })).toEqual({ status: 200, data: products, codes: [] });
    expect(await post(gateway.url, { query: PRODUCTS, sha256Hash: documentId(PRODUCTS) })).toEqual({ status: 200, data: products, codes: [] });
  });

  it('answers an unknown id with PERSISTED_QUERY_NOT_FOUND (HTTP 200, as Apollo Server does), so APQ clients send the body', async () => {
    const gateway = await gateways.start({ TRUSTED_DOCUMENTS: 'enforce' });
    expect(await post(gateway.url, { sha256Hash: documentId(UNTRUSTED) })).toEqual({ status: 200, data: undefined, codes: ['PERSISTED_QUERY_NOT_FOUND'] });
  });

  it('refuses a body that is not in the manifest with a 400 OPERATION_NOT_TRUSTED, calls no subgraph, and registers nothing', async () => {
    const gateway = await gateways.start({ TRUSTED_DOCUMENTS: 'enforce' });
    const before = foreign.received.length;
    expect(await post(gateway.url, { query: UNTRUSTED })).toEqual({ status: 400, data: undefined, codes: ['OPERATION_NOT_TRUSTED'] });
    // The same text differently spaced is another document: the manifest's bodies are exact.
    expect(await post(gateway.url, { query: `${PRODUCTS} ` })).toMatchObject({ status: 400, codes: ['OPERATION_NOT_TRUSTED'] });
    // An APQ registration of an untrusted body is refused too, and its id stays unknown.
    expect(await post(gateway.url, { query: UNTRUSTED, sha256Hash: documentId(UNTRUSTED) })).toMatchObject({ status: 400, codes: ['OPERATION_NOT_TRUSTED'] });
    expect((await post(gateway.url, { sha256Hash: documentId(UNTRUSTED) })).codes).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(foreign.received.length).toBe(before);
  });

  it('refuses to start without its manifest, naming the file', async () => {
    await expect(gateways.start({ TRUSTED_DOCUMENTS: 'enforce', TRUSTED_DOCUMENTS_MANIFEST: '/nonexistent/manifest.json' })).rejects.toThrow(
      /TRUSTED_DOCUMENTS=enforce needs the manifest TRUSTED_DOCUMENTS_MANIFEST=\/nonexistent\/manifest\.json/,
    );
  });
});

describe('TRUSTED_DOCUMENTS=allow', () => {
  it('runs manifest operations by id alone and anything else as usual, APQ registrations included', async () => {
    const gateway = await gateways.start({ TRUSTED_DOCUMENTS: 'allow' });
    expect(await post(gateway.url, { sha256Hash: documentId(PRODUCTS) })).toEqual({ status: 200, data: products, codes: [] });
    expect(await post(gateway.url, { query: UNTRUSTED })).toMatchObject({ status: 200, codes: [] });
    // APQ still works for what the manifest does not list: unknown, registered, then known.
    expect((await post(gateway.url, { sha256Hash: documentId(UNTRUSTED) })).codes).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(await post(gateway.url, { query: UNTRUSTED, sha256Hash: documentId(UNTRUSTED) })).toMatchObject({ status: 200, codes: [] });
    await waitFor(async () => (await post(gateway.url, { sha256Hash: documentId(UNTRUSTED) })).codes.length === 0 || undefined);
  });

  it('runs manifest ids with APQ off, where other hashes stay unknown', async () => {
    const gateway = await gateways.start({ TRUSTED_DOCUMENTS: 'allow', APQ: 'off' });
    expect(await post(gateway.url, { sha256Hash: documentId(PRODUCTS) })).toEqual({ status: 200, data: products, codes: [] });
    expect((await post(gateway.url, { query: UNTRUSTED, sha256Hash: documentId(UNTRUSTED) })).codes).toEqual([]);
    expect((await post(gateway.url, { sha256Hash: documentId(UNTRUSTED) })).codes).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });
});

describe('TRUSTED_DOCUMENTS=off', () => {
  it('ignores the manifest: its ids are unknown to APQ, and a missing manifest does not matter', async () => {
    const gateway = await gateways.start({ TRUSTED_DOCUMENTS: 'off', TRUSTED_DOCUMENTS_MANIFEST: '/nonexistent/manifest.json' });
    expect((await post(gateway.url, { sha256Hash: documentId(PRODUCTS) })).codes).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(await post(gateway.url, { query: UNTRUSTED })).toMatchObject({ status: 200, codes: [] });
    const noApq = await gateways.start({ TRUSTED_DOCUMENTS: 'off', APQ: 'off' });
    expect((await post(noApq.url, { sha256Hash: documentId(PRODUCTS) })).codes).toEqual(['PERSISTED_QUERY_NOT_SUPPORTED']);
  });
});

describe('trusted documents for subscriptions (graphql-ws, multipart HTTP, SSE)', () => {
  const liveGateway = (env: Record<string, string>) =>
    gateways.start({ SUPERGRAPH_PATH: live.supergraphPath, SUBGRAPH_PRICES_URL: live.urls.prices, SUBGRAPH_REVIEWS_URL: live.urls.reviews, ...env });
  const track = (sub: TestSubscription) => (subs.push(sub), sub);
  const refusal = async (sub: TestSubscription) => {
    const ended = await sub.ended;
    expect(ended.completed).toBe(false);
    return ((ended as { error: { extensions?: { code?: unknown } }[] }).error ?? []).map((e) => e.extensions?.code);
  };

  it('under enforce, opens the manifest subscription (by body or id alone) and refuses any other', async () => {
    const gateway = await liveGateway({ TRUSTED_DOCUMENTS: 'enforce' });
    const url = `${gateway.url}/graphql`;
    const upstream = live.upstreamSubscribes.length;
    const byBody = track(subscribe(url, PRICES, { id: 'p7' }));
    const byId = track(subscribe(url, '', { id: 'p7' }, { extensions: { persistedQuery: { version: 1, sha256Hash: documentId(PRICES) } } }));
    await waitFor(async () => gateway.hub.size === 2 || undefined);
    // Events published before the gateway's upstream subscription exists are lost: wait for it.
    await waitFor(async () => live.upstreamSubscribes.length > upstream || undefined);
    await live.publish({ id: 'p7', name: 'Desk', price: 12 });
    expect(await byBody.next(0)).toEqual({ data: { priceChanged: { id: 'p7', price: 12 } } });
    expect(await byId.next(0)).toEqual({ data: { priceChanged: { id: 'p7', price: 12 } } });

    const other = track(subscribe(url, 'subscription Other { priceChanged { id name } }'));
    expect(await refusal(other)).toEqual(['OPERATION_NOT_TRUSTED']);
    const unknownId = track(subscribe(url, '', {}, { extensions: { persistedQuery: { version: 1, sha256Hash: documentId('subscription X { priceChanged { id } }') } } }));
    expect(await refusal(unknownId)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(gateway.hub.size).toBe(2);
  });

  it('under enforce, refuses a query sent over the socket that is not in the manifest', async () => {
    const gateway = await liveGateway({ TRUSTED_DOCUMENTS: 'enforce' });
    const query = track(subscribe(`${gateway.url}/graphql`, 'query Untrusted { product(id: "p1") { id } }'));
    const ended = await query.ended;
    // Refused by admission (an error message) or by Apollo Server's plugin (a result with errors): either way, not run.
    const codes = [...query.results.flatMap((r) => r.errors ?? []), ...(ended.completed ? [] : ((ended as { error: unknown }).error as { extensions?: unknown }[]))].map(
      (e) => (e.extensions as { code?: unknown } | undefined)?.code,
    );
    expect(codes).toEqual(['OPERATION_NOT_TRUSTED']);
    expect(query.results.some((r) => r.data)).toBe(false);
  });

  it('under enforce, refuses a subscription that is not in the manifest over multipart HTTP and SSE too, and opens the manifest one by id', async () => {
    const gateway = await liveGateway({ TRUSTED_DOCUMENTS: 'enforce' });
    const request = (accept: string, body: Record<string, unknown>, signal?: AbortSignal) =>
      fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify(body), signal });
    const MULTIPART = 'multipart/mixed;subscriptionSpec="1.0", application/json';
    const OTHER = { query: 'subscription Other { priceChanged { id name } }' };
    for (const accept of [MULTIPART, 'text/event-stream']) {
      const res = await request(accept, OTHER);
      const text = await res.text();
      expect({ accept, status: res.status, trusted: !text.includes('OPERATION_NOT_TRUSTED') }).toEqual({ accept, status: 400, trusted: false });
    }
    expect(gateway.hub.size).toBe(0);
    const abort = new AbortController();
    const byId = await request(MULTIPART, { variables: { id: 'p9' }, extensions: { persistedQuery: { version: 1, sha256Hash: documentId(PRICES) } } }, abort.signal);
    expect(byId.status).toBe(200);
    await waitFor(async () => gateway.hub.size === 1 || undefined);
    abort.abort();
  });

  it('under allow, opens a subscription that is not in the manifest', async () => {
    const gateway = await liveGateway({ TRUSTED_DOCUMENTS: 'allow' });
    const upstream = live.upstreamSubscribes.length;
    const other = track(subscribe(`${gateway.url}/graphql`, 'subscription Other { priceChanged(productId: "p8") { id name } }'));
    await waitFor(async () => gateway.hub.size === 1 || undefined);
    await waitFor(async () => live.upstreamSubscribes.length > upstream || undefined);
    await live.publish({ id: 'p8', name: 'Sofa', price: 3 });
    expect(await other.next(0)).toEqual({ data: { priceChanged: { id: 'p8', name: 'Sofa' } } });
  });
});
