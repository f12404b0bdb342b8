import { errorCodes, subscribe, waitFor, type TestSubscription } from '@atrium/kit/testing';
import { readFileSync, writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import type { Gateway } from '../gateway';
import { scrape } from '../testing/foreign-supergraph';
import { startLiveSupergraph, type LiveSupergraph } from '../testing/live-supergraph';
import { suiteGateways } from '../testing/start-gateway';

// The gateway's subscription machinery against a supergraph of its own (testing/live-supergraph.ts),
// where the test decides when events happen. Atrium's own subscriptions, with field-level auth
// and real tokens, are tested end to end in test/e2e/subscriptions.e2e.test.ts.

let live: LiveSupergraph;
const subs: TestSubscription[] = [];

const gateways = suiteGateways(() => ({ SUPERGRAPH_PATH: live.supergraphPath }));
const startGateway = gateways.start;

function track(sub: TestSubscription) {
  subs.push(sub);
  return sub;
}

const PRICES = `subscription($id: ID) { priceChanged(productId: $id) { id name price reviews { stars } } }`;

beforeAll(async () => {
  live = await startLiveSupergraph();
});

afterAll(async () => {
  await Promise.all(subs.map((s) => s.close()));
  await gateways.closeAll();
  await live?.close();
});

/** Waits until the gateway holds `n` client subscriptions (so an event published now reaches them all). */
const opened = (gateway: Gateway, n: number) => waitFor(async () => gateway.hub.size === n || undefined);

describe('subscriptions through the gateway', () => {
  it('completes each event with fields from another subgraph, in order', async () => {
    const gateway = await startGateway();
    const sub = track(subscribe(`${gateway.url}/graphql`, PRICES, { id: 'p1' }));
    await opened(gateway, 1);
    await waitFor(async () => live.upstreamSubscribes.length > 0 || undefined);
    await live.publish({ id: 'p2', name: 'Other', price: 1 }); // filtered out by the subgraph
    await live.publish({ id: 'p1', name: 'Lamp', price: 100 });
    await live.publish({ id: 'p1', name: 'Lamp', price: 90 });
    expect(await sub.next(0)).toEqual({ data: { priceChanged: { id: 'p1', name: 'Lamp', price: 100, reviews: [{ stars: 2 }] } } });
    expect(await sub.next(1)).toEqual({ data: { priceChanged: { id: 'p1', name: 'Lamp', price: 90, reviews: [{ stars: 2 }] } } });
    await sub.close();
    await opened(gateway, 0);
    expect(gateway.hub.upstreams).toBe(0); // the upstream subscription ended with its last subscriber
  });

  it('shares one upstream subscription among 100 identical subscribers, and completes each event once', async () => {
    const gateway = await startGateway();
    const before = live.upstreamSubscribes.length;
    const reviewsBefore = live.reviewFetches;
    const many = Array.from({ length: 100 }, () => track(subscribe(`${gateway.url}/graphql`, PRICES, { id: 'p9' })));
    await opened(gateway, 100);
    await waitFor(async () => live.upstreamSubscribes.length > before || undefined);
    await live.publish({ id: 'p9', name: 'Desk', price: 7 });
    const results = await Promise.all(many.map((s) => s.next(0)));
    expect(new Set(results.map((r) => JSON.stringify(r)))).toEqual(new Set([JSON.stringify({ data: { priceChanged: { id: 'p9', name: 'Desk', price: 7, reviews: [{ stars: 2 }] } } })]));
    expect(live.upstreamSubscribes.length - before).toBe(1);
    expect(live.reviewFetches - reviewsBefore).toBe(1);
    expect(gateway.hub.upstreams).toBe(1);
    const metrics = await scrape(gateway);
    expect(metrics('atrium_subscriptions_open')).toBe(100);
    expect(metrics('atrium_subscription_upstreams_total{subgraph="prices"}')).toBe(1);
    await Promise.all(many.map((s) => s.close()));
    await opened(gateway, 0);
    expect((await scrape(gateway))('atrium_subscriptions_open')).toBe(0);
  });

  it('opens one upstream subscription per subscriber when dedup is off, and for different variables', async () => {
    const gateway = await startGateway({ SUBSCRIPTION_DEDUP: 'off' });
    const before = live.upstreamSubscribes.length;
    const a = track(subscribe(`${gateway.url}/graphql`, PRICES, { id: 'p3' }));
    const b = track(subscribe(`${gateway.url}/graphql`, PRICES, { id: 'p3' }));
    await opened(gateway, 2);
    await waitFor(async () => live.upstreamSubscribes.length - before === 2 || undefined);
    const deduped = await startGateway();
    const c = track(subscribe(`${deduped.url}/graphql`, PRICES, { id: 'p3' }));
    const d = track(subscribe(`${deduped.url}/graphql`, PRICES, { id: 'p4' }));
    await opened(deduped, 2);
    await waitFor(async () => live.upstreamSubscribes.length - before === 4 || undefined);
    expect(deduped.hub.upstreams).toBe(2);
    await Promise.all([a, b, c, d].map((s) => s.close()));
  });

  it('refuses a connection whose token does not verify with close code 4401, forwarding nothing', async () => {
    const gateway = await startGateway();
    const before = live.upstreamSubscribes.length;
    // An unsigned token is refused at connect: the socket closes with 4401 and nothing is forwarded.
    const refused = track(subscribe(`${gateway.url}/graphql`, PRICES, {}, { token: 'not-a-jwt' }));
    const outcome = await refused.ended;
    expect(outcome).toMatchObject({ completed: false, error: { code: 4401 } });
    expect(live.upstreamSubscribes.length).toBe(before);
  });

  it('refuses subscriptions over the per-connection limit with TOO_MANY_SUBSCRIPTIONS', async () => {
    const gateway = await startGateway({ SUBSCRIPTIONS_PER_CONNECTION: '2' });
    const { client, results } = rawClient(`${gateway.url}/graphql`);
    await client.opened;
    for (const id of ['1', '2', '3']) client.send({ id, type: 'subscribe', payload: { query: PRICES, variables: { id: `q${id}` } } });
    const refusal = await waitFor(async () => results.find((m) => m.id === '3'));
    expect(refusal).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }] });
    expect(results.filter((m) => m.type === 'error')).toHaveLength(1);
    await opened(gateway, 2);
    client.close();
    await opened(gateway, 0);
  });

  it('drops a client that stops reading, while the others keep receiving every event', async () => {
    const gateway = await startGateway({ SUBSCRIPTION_QUEUE_LIMIT: '5' });
    // The healthy subscriber leaves the padding out; the slow one asks for it, so its socket backs up.
    const healthy = track(subscribe(`${gateway.url}/graphql`, PRICES, { id: 'slow' }));
    const slow = rawClient(`${gateway.url}/graphql`);
    await slow.client.opened;
    slow.client.pauseReading();
    slow.client.send({ id: '1', type: 'subscribe', payload: { query: 'subscription { priceChanged(productId: "slow") { price blob } }' } });
    await opened(gateway, 2);
    const blob = 'x'.repeat(1024 * 1024); // 100 events of 1 MiB: far more than the socket buffers hold
    for (let i = 0; i < 100; i++) await live.publish({ id: 'slow', name: 'Slow', price: i, blob });
    await healthy.next(99, 30_000);
    expect(healthy.results.map((r) => (r.data as { priceChanged: { price: number } }).priceChanged.price)).toEqual([...Array(100).keys()]);
    await waitFor(async () => gateway.hub.size === 1 || undefined);
    expect((await scrape(gateway))('atrium_subscription_events_dropped_total')).toBe(1);
    expect(healthy.results.every((r) => r.errors === undefined)).toBe(true);
    slow.client.close();
    await healthy.close();
  });

  it('runs queries over the same socket, through the same authorization and limits', async () => {
    const gateway = await startGateway({ GRAPHQL_MAX_DEPTH: '3' });
    const { client, results } = rawClient(`${gateway.url}/graphql`);
    await client.opened;
    client.send({ id: 'q', type: 'subscribe', payload: { query: '{ product(id: "p1") { name reviews { stars } } }' } });
    client.send({ id: 'deep', type: 'subscribe', payload: { query: '{ product(id: "p1") { reviews { stars { a { b } } } } }' } });
    expect(await waitFor(async () => results.find((m) => m.id === 'q' && m.type === 'next'))).toMatchObject({
      payload: { data: { product: { name: 'Product p1', reviews: [{ stars: 2 }] } } },
    });
    expect(await waitFor(async () => results.find((m) => m.id === 'deep'))).toMatchObject({ type: 'error' });
    client.close();
  });
});

describe('subscriptions ending', () => {
  it('go on across a supergraph update that keeps what they select: planned again, the upstream kept, no event lost', async () => {
    const gateway = await startGateway({ SUPERGRAPH_WATCH: 'on' });
    const before = live.upstreamSubscribes.length;
    const sub = track(subscribe(`${gateway.url}/graphql`, PRICES, { id: 'r1' }));
    await opened(gateway, 1);
    await waitFor(async () => live.upstreamSubscribes.length > before || undefined);
    await live.publish({ id: 'r1', name: 'Lamp', price: 1 });
    await sub.next(0);
    const schema = gateway.gateway.schema;
    const sdl = readFileSync(live.supergraphPath, 'utf8');
    writeFileSync(live.supergraphPath, `${sdl}\n# touched\n`);
    await waitFor(async () => gateway.gateway.schema !== schema || undefined); // the new supergraph is loaded
    await live.publish({ id: 'r1', name: 'Lamp', price: 2 });
    expect(await sub.next(1)).toEqual({ data: { priceChanged: { id: 'r1', name: 'Lamp', price: 2, reviews: [{ stars: 2 }] } } });
    expect(sub.results.every((r) => r.errors === undefined)).toBe(true);
    expect(live.upstreamSubscribes.length - before).toBe(1); // the upstream subscription stayed open
    expect(gateway.hub.size).toBe(1);
    await sub.close();
  });

  it('end with SUPERGRAPH_UPDATED when the update makes them invalid, and new ones use the new supergraph', async () => {
    const gateway = await startGateway({ SUPERGRAPH_WATCH: 'on' });
    const sub = track(subscribe(`${gateway.url}/graphql`, PRICES, { id: 'p1' }));
    await opened(gateway, 1);
    const sdl = readFileSync(live.supergraphPath, 'utf8');
    try {
      // The subscribed field is renamed in the new supergraph: the open operation no longer validates.
      writeFileSync(live.supergraphPath, sdl.replace(/\bpriceChanged\(/, 'priceMoved('));
      const outcome = await sub.ended;
      expect(outcome).toEqual({ completed: true });
      expect(errorCodes({ status: 200, headers: new Headers(), errors: sub.results.at(-1)?.errors as never })).toEqual(['SUPERGRAPH_UPDATED']);
      const refused = track(subscribe(`${gateway.url}/graphql`, PRICES, { id: 'p1' }));
      expect(await refused.ended).toMatchObject({ completed: false });
    } finally {
      writeFileSync(live.supergraphPath, sdl);
    }
    await waitFor(async () => gateway.gateway.schema?.getSubscriptionType()?.getFields().priceChanged || undefined);
    const again = track(subscribe(`${gateway.url}/graphql`, PRICES, { id: 'p1' }));
    await opened(gateway, 1);
    await again.close();
  });

  it('end with SUBGRAPH_UNAVAILABLE when the owning subgraph goes away', async () => {
    const gateway = await startGateway();
    const sub = track(subscribe(`${gateway.url}/graphql`, PRICES, { id: 'p1' }));
    await opened(gateway, 1);
    await waitFor(async () => gateway.hub.upstreams === 1 || undefined);
    await live.stop('prices');
    expect(await sub.ended).toEqual({ completed: true });
    expect(sub.results.at(-1)?.errors?.[0]).toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE' } });
    await opened(gateway, 0);
  });
});

interface Message {
  id?: string;
  type: string;
  payload?: unknown;
}

/** A bare graphql-ws client, for what the library client hides: raw messages, and a client that stops reading. */
function rawClient(url: string) {
  const results: Message[] = [];
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const state = { closeCode: 0 };
  const opened = new Promise<void>((resolve, reject) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Message;
      if (message.type === 'connection_ack') resolve();
      else results.push(message);
    });
    socket.on('error', reject);
  });
  socket.on('close', (code) => (state.closeCode = code));
  return {
    results,
    client: {
      opened,
      send: (m: Message) => socket.send(JSON.stringify(m)),
      /** Stops reading from the socket, so the server's writes back up. */
      pauseReading: () => {
        // ws resumes its socket whenever its parser drains: keep it paused for good.
        const raw = (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
        raw.pause();
        raw.resume = () => undefined;
      },
      get closeCode() {
        return state.closeCode;
      },
      close: () => socket.terminate(),
    },
  };
}
