import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { startPrivateRedis, testLogger, type PrivateRedis } from '@atrium/kit/testing';
import IORedis from 'ioredis';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { GatewayContext } from '../context';
import { invalidateSharedResponses, ResponseStore } from '../http/response-cache-store';
import { createGatewayMetrics } from '../ops/metrics';
import { readCacheHints } from '../plan/cache-policy';
import { RootFetchCache } from './root-cache';

// The root cache's race guard and tiers on a Redis of its own, with Atrium's own supergraph and
// hints; the subgraph is the `send` the data source would give: it answers, and can let an
// event be handled while its fetch is in flight.
let privateRedis: PrivateRedis;
let redis: IORedis;
let writer: IORedis;
let prefix = 'root';
const W1 = [{ type: 'Workspace', id: 'w1' }];

const sdl = readFileSync(path.join(__dirname, '..', '..', '..', 'schema', 'supergraph.graphql'), 'utf8');
const source = { schema: Supergraph.build(sdl, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES }).apiSchema().toGraphQLJSSchema(), cacheHints: readCacheHints(sdl) };
const metrics = createGatewayMetrics();

const QUERY = 'query($id:ID!){workspace(id:$id){__typename id name}}';
const answer = (name: string): GatewayGraphQLResponse => ({ data: { workspace: { __typename: 'Workspace', id: 'w1', name } } });
const member = { userId: 'u1', roles: ['MEMBER' as const], scopes: [], expiresAt: new Date(Date.now() + 60_000) };
const options = (operation = 'query'): GraphQLDataSourceProcessOptions<GatewayContext> =>
  ({
    kind: 'incoming operation',
    request: { query: QUERY, variables: { id: 'w1' } },
    incomingRequestContext: { operation: { operation } },
    context: { caller: member, authorization: 'Bearer token', requestId: 'r' },
  }) as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;

/** A subgraph answering `name`, counting its fetches; `during` runs while a fetch is in flight. */
function subgraph(name: () => string, during?: () => Promise<void>) {
  const sub = {
    fetches: 0,
    send: async () => {
      sub.fetches++;
      await during?.();
      return answer(name());
    },
  };
  return sub;
}

function cacheOf(mode: 'redis' | 'memory', memoryEntries = 0) {
  const store = new ResponseStore({ mode, prefix, redis: mode === 'redis' ? redis : undefined, memoryEntries, metrics: metrics.rootCache, log: testLogger('root-cache'), name: 'root cache' });
  store.setListening(true);
  const cache = new RootFetchCache(store, prefix, metrics.rootCache);
  cache.follow(source);
  return { cache, store };
}
/** Lets the store's write (not awaited by the fetch) reach Redis: a command on the same connection answers after it. */
const written = () => redis.ping();

beforeAll(async () => {
  privateRedis = await startPrivateRedis();
  redis = new IORedis(privateRedis.url, { maxRetriesPerRequest: 1 });
  writer = new IORedis(privateRedis.url, { maxRetriesPerRequest: 1 });
  for (const connection of [redis, writer]) connection.on('error', () => undefined);
  await Promise.all([redis.ping(), writer.ping()]);
});
afterAll(async () => {
  redis?.disconnect();
  writer?.disconnect();
  await privateRedis?.stop();
});
let run = 0;
beforeEach(() => {
  prefix = `root${++run}`;
});

describe('the root cache in Redis', () => {
  it('answers a second identical fetch from Redis, and fetches again once an event invalidates what it holds', async () => {
    const { cache } = cacheOf('redis');
    let name = 'Desk';
    const sub = subgraph(() => name);
    expect((await cache.fetch('catalog', options(), sub.send)).data).toEqual(answer('Desk').data);
    await written();
    expect((await cache.fetch('catalog', options(), sub.send)).data).toEqual(answer('Desk').data);
    expect(sub.fetches).toBe(1);

    name = 'Harbour desk';
    await invalidateSharedResponses(writer, prefix, W1, metrics.responseCache);
    expect((await cache.fetch('catalog', options(), sub.send)).data).toEqual(answer('Harbour desk').data);
    expect(sub.fetches).toBe(2);
  });

  it('never keeps an answer fetched while an event invalidated what it holds', async () => {
    const { cache } = cacheOf('redis');
    let name = 'Desk';
    // The event is handled after the lookup read the sequence, before the subgraph's (old) answer arrives.
    const racing = subgraph(() => 'Desk', async () => {
      await invalidateSharedResponses(writer, prefix, W1, metrics.responseCache);
      name = 'Harbour desk';
    });
    expect((await cache.fetch('catalog', options(), racing.send)).data).toEqual(answer('Desk').data);
    await written();
    const after = subgraph(() => name);
    expect((await cache.fetch('catalog', options(), after.send)).data).toEqual(answer('Harbour desk').data);
    expect(after.fetches).toBe(1); // the racing answer was not kept
  });

  it('never looks up nor keeps the fetches of a mutation or a subscription event', async () => {
    const { cache } = cacheOf('redis');
    const sub = subgraph(() => 'Desk');
    for (const operation of ['mutation', 'subscription', 'mutation', 'subscription']) await cache.fetch('catalog', options(operation), sub.send);
    await written();
    expect(sub.fetches).toBe(4);
    expect(await redis.keys(`${prefix}:q:*`)).toEqual([]);
  });
});

describe('the root cache in memory (CACHE=memory)', () => {
  it('never keeps an answer fetched while this process heard an invalidation of what it holds', async () => {
    const { cache, store } = cacheOf('memory', 10);
    const racing = subgraph(() => 'Desk', async () => store.forget(W1));
    await cache.fetch('catalog', options(), racing.send);
    const after = subgraph(() => 'Harbour desk');
    expect((await cache.fetch('catalog', options(), after.send)).data).toEqual(answer('Harbour desk').data);
    expect((await cache.fetch('catalog', options(), after.send)).data).toEqual(answer('Harbour desk').data);
    expect(after.fetches).toBe(1); // fetched once, then from memory

    store.forget([{ type: 'Workspace', id: 'w2' }]);
    await cache.fetch('catalog', options(), after.send);
    expect(after.fetches).toBe(1); // another workspace's event
    store.forget(W1);
    await cache.fetch('catalog', options(), after.send);
    expect(after.fetches).toBe(2);
  });
});
