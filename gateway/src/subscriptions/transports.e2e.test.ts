import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { createTestIssuer, subscribe, waitFor, type TestIssuer } from '@atrium/kit/testing';
import { createClient as createSseClient } from 'graphql-sse';
import { decodeJwt } from 'jose';
import { readFileSync, writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import type { Gateway } from '../gateway';
import { scrape } from '../testing/foreign-supergraph';
import { startLiveSupergraph, type LiveSupergraph } from '../testing/live-supergraph';
import { suiteGateways } from '../testing/start-gateway';
import { RENEW_TOKEN_KEY } from './websocket';

// Subscriptions over the three transports a client may speak — graphql-ws, Apollo's multipart
// HTTP protocol (spoken here by Apollo Client itself) and GraphQL over SSE (spoken by the
// graphql-sse client) — all served by one hub, and graphql-ws's token renewal. Against a
// supergraph of the test's own (testing/live-supergraph.ts), where the test decides when
// events happen.

let live: LiveSupergraph;
let issuer: TestIssuer;
let jwks: { url: string; close(): Promise<void> };
const closers: (() => unknown)[] = [];

const gateways = suiteGateways(() => ({ SUPERGRAPH_PATH: live.supergraphPath, JWKS_URL: jwks.url }));

const PRICES = `subscription Prices($id: ID) { priceChanged(productId: $id) { id name price reviews { stars } } }`;
const event = (id: string, price: number) => ({ data: { priceChanged: { id, name: 'Lamp', price, reviews: [{ stars: 2 }] } } });

beforeAll(async () => {
  live = await startLiveSupergraph();
  issuer = await createTestIssuer();
  jwks = await issuer.serveJwks();
});

afterAll(async () => {
  for (const close of closers.splice(0)) await close();
  await gateways.closeAll();
  await live?.close();
  await jwks?.close();
});

const opened = (gateway: Gateway, n: number) => waitFor(async () => gateway.hub.size === n || undefined);

/** Waits until the subgraph holds `n` more upstream subscriptions than `before` (an event published earlier is not seen). */
const upstreamsSince = (before: number, n = 1) => waitFor(async () => live.upstreamSubscribes.length - before >= n || undefined);

/** A multipart subscription request, as Apollo Client sends one. */
const multipart = (url: string, query: string, variables: Record<string, unknown>) =>
  fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed;subscriptionSpec="1.0", application/json' },
    body: JSON.stringify({ query, variables }),
  });

/** A subscription's results as they arrive, however they come. */
function collector<T>() {
  const results: T[] = [];
  let wake = () => {};
  return {
    results,
    push(value: T) {
      results.push(value);
      wake();
    },
    /** Waits for the `n`-th result (0-based). */
    async nth(n: number): Promise<T> {
      await waitFor(async () => (results.length > n ? true : undefined));
      return results[n];
    },
  };
}

/** Reads a multipart/mixed response body part by part (the JSON of each), as a client's parser would. */
async function readParts(res: Response, onPart: (part: unknown) => void): Promise<string> {
  const boundary = `\r\n--${/boundary="?([^";]+)"?/.exec(res.headers.get('content-type') ?? '')?.[1]}`;
  const decoder = new TextDecoder();
  let buffer = '';
  let all = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    const text = decoder.decode(chunk, { stream: true });
    buffer += text;
    all += text;
    let at: number;
    while ((at = buffer.indexOf(boundary)) >= 0) {
      const message = buffer.slice(0, at);
      buffer = buffer.slice(at + boundary.length);
      const body = message.slice(message.indexOf('\r\n\r\n') + 4);
      if (message.includes('\r\n\r\n') && body.trim()) onPart(JSON.parse(body));
    }
  }
  return all;
}

describe('multipart HTTP subscriptions (Apollo Client)', () => {
  it('delivers every event completed from the other subgraph, and releases the subscription when the client unsubscribes', async () => {
    const gateway = await gateways.start();
    const before = live.upstreamSubscribes.length;
    const client = new ApolloClient({ link: new HttpLink({ uri: `${gateway.url}/graphql` }), cache: new InMemoryCache() });
    const got = collector<unknown>();
    const sub = client.subscribe({ query: gql(PRICES), variables: { id: 'm1' } }).subscribe({ next: (r) => got.push(r) });
    closers.push(() => sub.unsubscribe());
    await opened(gateway, 1);
    await upstreamsSince(before);
    await live.publish({ id: 'm1', name: 'Lamp', price: 10 });
    await live.publish({ id: 'm1', name: 'Lamp', price: 11 });
    expect(await got.nth(0)).toMatchObject({ data: { priceChanged: { id: 'm1', price: 10, reviews: [{ stars: 2 }] } } });
    expect(await got.nth(1)).toMatchObject({ data: { priceChanged: { price: 11 } } });
    const metrics = await scrape(gateway);
    expect(metrics('atrium_subscriptions_opened_total{transport="multipart"}')).toBe(1);
    expect(metrics('atrium_subscriptions_open_by_transport{transport="multipart"}')).toBe(1);
    sub.unsubscribe();
    await opened(gateway, 0);
    expect(gateway.hub.upstreams).toBe(0);
  });

  it('speaks the protocol: multipart/mixed with subscriptionSpec, {"payload"} parts, {} heartbeats, the closing delimiter when it ends', async () => {
    const gateway = await gateways.start({ SUBSCRIPTION_HEARTBEAT_MS: '50', SUPERGRAPH_WATCH: 'on' });
    const before = live.upstreamSubscribes.length;
    const res = await multipart(gateway.url, PRICES, { id: 'm2' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('multipart/mixed;boundary="graphql";subscriptionSpec="1.0"');
    const parts: unknown[] = [];
    const body = readParts(res, (p) => parts.push(p));
    await waitFor(async () => (parts.some((p) => JSON.stringify(p) === '{}') ? true : undefined)); // a heartbeat
    await upstreamsSince(before);
    await live.publish({ id: 'm2', name: 'Lamp', price: 3 });
    await waitFor(async () => (parts.some((p) => (p as { payload?: unknown }).payload) ? true : undefined));
    expect(parts.find((p) => (p as { payload?: unknown }).payload)).toEqual({ payload: event('m2', 3) });
    // A supergraph update that makes it invalid ends it: its last part says why, then the closing delimiter.
    const sdl = readFileSync(live.supergraphPath, 'utf8');
    try {
      writeFileSync(live.supergraphPath, sdl.replace(/\bpriceChanged\(/, 'priceMoved('));
      const text = await body;
      expect(text.endsWith('\r\n--graphql--\r\n')).toBe(true);
      expect(parts.at(-1)).toMatchObject({ payload: { errors: [{ extensions: { code: 'SUPERGRAPH_UPDATED' } }] } });
      await opened(gateway, 0);
    } finally {
      writeFileSync(live.supergraphPath, sdl);
    }
  });

  it('refuses before streaming with the status and code Apollo Server gives over HTTP, and leaves queries to Apollo Server', async () => {
    const gateway = await gateways.start();
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'multipart/mixed;subscriptionSpec=1.0,application/json', ...headers },
        body: JSON.stringify(body),
      });
    const invalid = await post({ query: 'subscription { priceChanged { nope } }' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ errors: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
    const badToken = await post({ query: PRICES }, { authorization: 'Bearer not-a-jwt' });
    expect(badToken.status).toBe(401);
    expect(await badToken.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    const query = await post({ query: '{ product(id: "p1") { name } }' });
    expect(query.status).toBe(200);
    expect(await query.json()).toEqual({ data: { product: { name: 'Product p1' } } });
    expect(gateway.hub.size).toBe(0);
  });
});

describe('GraphQL over SSE (graphql-sse client)', () => {
  it('delivers events, runs queries, and shares one upstream with identical graphql-ws and multipart subscriptions', async () => {
    const gateway = await gateways.start();
    const before = live.upstreamSubscribes.length;
    const sse = createSseClient({ url: `${gateway.url}/graphql`, retryAttempts: 0 });
    closers.push(() => sse.dispose());
    const got = collector<unknown>();
    const stop = sse.subscribe({ query: PRICES, variables: { id: 's1' } }, { next: (r) => got.push(r), error: () => undefined, complete: () => undefined });
    closers.push(stop);
    const ws = subscribe(`${gateway.url}/graphql`, PRICES, { id: 's1' });
    closers.push(() => ws.close());
    // The same document over multipart (Apollo Client would add __typename: another document, another stream).
    const mpAbort = new AbortController();
    closers.push(() => mpAbort.abort());
    const mpRes = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      signal: mpAbort.signal,
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed;subscriptionSpec="1.0", application/json' },
      body: JSON.stringify({ query: PRICES, variables: { id: 's1' } }),
    });
    const viaMultipart = collector<unknown>();
    void readParts(mpRes, (p) => (p as { payload?: unknown }).payload && viaMultipart.push((p as { payload: unknown }).payload)).catch(() => undefined);
    await opened(gateway, 3);
    await upstreamsSince(before);
    await live.publish({ id: 's1', name: 'Lamp', price: 5 });
    expect(await got.nth(0)).toEqual(event('s1', 5));
    expect(await ws.next(0)).toEqual(event('s1', 5));
    expect(await viaMultipart.nth(0)).toEqual(event('s1', 5));
    expect(live.upstreamSubscribes.length - before).toBe(1);
    expect(gateway.hub.upstreams).toBe(1);
    const metrics = await scrape(gateway);
    for (const transport of ['websocket', 'multipart', 'sse']) expect(metrics(`atrium_subscriptions_open_by_transport{transport="${transport}"}`)).toBe(1);

    const query = await new Promise((resolve, reject) => {
      let value: unknown;
      sse.subscribe({ query: '{ product(id: "p2") { name } }' }, { next: (r) => (value = r), error: reject, complete: () => resolve(value) });
    });
    expect(query).toEqual({ data: { product: { name: 'Product p2' } } });
    stop();
    mpAbort.abort();
    await ws.close();
    await opened(gateway, 0);
  });

  it('refuses a token that does not verify with 401 UNAUTHENTICATED', async () => {
    const gateway = await gateways.start();
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer not-a-jwt' },
      body: JSON.stringify({ query: PRICES }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it("ends a subscription when its token expires, with UNAUTHENTICATED", async () => {
    const gateway = await gateways.start();
    const token = await issuer.token({ expiresIn: '3s' });
    const sse = createSseClient({ url: `${gateway.url}/graphql`, headers: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    closers.push(() => sse.dispose());
    const got = collector<unknown>();
    const done = new Promise<void>((resolve) => sse.subscribe({ query: PRICES, variables: { id: 's2' } }, { next: (r) => got.push(r), error: () => resolve(), complete: () => resolve() }));
    await opened(gateway, 1);
    await done;
    expect(got.results.at(-1)).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    await opened(gateway, 0);
  });
});

describe('token renewal on an open graphql-ws connection', () => {
  it('keeps subscriptions past the old token’s expiry with a fresh token of the same user; another user’s token closes the socket with 4401', async () => {
    const gateway = await gateways.start();
    const userId = '00000000-0000-4000-8000-000000000001';
    const short = await issuer.token({ userId, expiresIn: '3s' });
    const socket = await rawSocket(`${gateway.url}/graphql`, short);
    closers.push(() => socket.close());
    const before = live.upstreamSubscribes.length;
    socket.send({ id: '1', type: 'subscribe', payload: { query: PRICES, variables: { id: 'r1' } } });
    await opened(gateway, 1);
    await upstreamsSince(before);
    socket.send({ type: 'ping', payload: { [RENEW_TOKEN_KEY]: await issuer.token({ userId, expiresIn: '15m' }) } });
    await waitFor(async () => (socket.messages.some((m) => m.type === 'pong') ? true : undefined));
    // Past the first token's expiry, the subscription is still there and still delivers.
    const expiry = (decodeJwt(short).exp ?? 0) * 1000;
    await waitFor(async () => (Date.now() > expiry + 1500 ? true : undefined), { timeoutMs: 30_000 });
    await live.publish({ id: 'r1', name: 'Lamp', price: 8 });
    expect(await waitFor(async () => socket.messages.find((m) => m.type === 'next'))).toEqual({ id: '1', type: 'next', payload: event('r1', 8) });
    expect(socket.messages.some((m) => m.type === 'complete' || m.type === 'error')).toBe(false);
    expect(gateway.hub.size).toBe(1);

    socket.send({ type: 'ping', payload: { [RENEW_TOKEN_KEY]: await issuer.token({ expiresIn: '15m' }) } });
    expect(await socket.closed).toBe(4401);
    await opened(gateway, 0);
  });

  it('closes the socket with 4401 for a renewal token that does not verify', async () => {
    const gateway = await gateways.start();
    const socket = await rawSocket(`${gateway.url}/graphql`, await issuer.token());
    closers.push(() => socket.close());
    socket.send({ type: 'ping', payload: { [RENEW_TOKEN_KEY]: 'not-a-jwt' } });
    expect(await socket.closed).toBe(4401);
  });
});

interface Message {
  id?: string;
  type: string;
  payload?: unknown;
}

/** A bare graphql-ws connection (connection_init with `token`), for the messages the library client does not send. */
async function rawSocket(url: string, token: string) {
  const messages: Message[] = [];
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Message;
      if (message.type === 'connection_ack') resolve();
      else messages.push(message);
    });
    socket.on('error', reject);
  });
  return { messages, closed, send: (m: Message) => socket.send(JSON.stringify(m)), close: () => socket.terminate() };
}

