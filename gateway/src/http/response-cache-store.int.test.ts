import { startPrivateRedis, testLogger, type PrivateRedis } from '@atrium/kit/testing';
import IORedis from 'ioredis';
import { createGatewayMetrics } from '../ops/metrics';
import { invalidateSharedResponses, ResponseMemoryTier, ResponseStore } from './response-cache-store';

// The response cache's tiers on a Redis of its own (restarted without its data by one test).
let privateRedis: PrivateRedis;
let redis: IORedis;
let writer: IORedis;
const PREFIX = 'rc';
const W1 = [{ type: 'Workspace', id: 'w1' }];
const TAGS = ['Workspace:*', 'Workspace:w1'];

beforeAll(async () => {
  privateRedis = await startPrivateRedis();
  redis = new IORedis(privateRedis.url, { maxRetriesPerRequest: 1 });
  writer = new IORedis(privateRedis.url, { maxRetriesPerRequest: 1 });
  for (const connection of [redis, writer]) connection.on('error', () => undefined);
  await Promise.all([redis.ping(), writer.ping()]); // ready: a lookup on a connection still connecting is a miss
});
afterAll(async () => {
  redis?.disconnect();
  writer?.disconnect();
  await privateRedis?.stop();
});

const metrics = createGatewayMetrics();
const store = (memoryEntries = 0, mode: 'redis' | 'memory' = 'redis') => {
  const created = new ResponseStore({ mode, prefix: PREFIX, redis: mode === 'redis' ? redis : undefined, memoryEntries, metrics: metrics.responseCache, log: testLogger('response-cache') });
  created.setListening(true);
  return created;
};
/** Lets the store's write (not awaited by a request) reach Redis: a command on the same connection answers after it. */
const written = () => redis.ping();

describe('the response cache in Redis', () => {
  it('serves a stored response until an event invalidates one of its tags', async () => {
    const cache = store();
    const { start } = await cache.lookup('k:1');
    cache.store('k:1', '{"a":1}', TAGS, 60, start);
    await written();
    expect((await cache.lookup('k:1')).hit).toMatchObject({ body: '{"a":1}', tier: 'redis', tags: TAGS });

    await invalidateSharedResponses(writer, PREFIX, [{ type: 'Location', id: 'l1' }], metrics.responseCache);
    expect((await cache.lookup('k:1')).hit?.body).toBe('{"a":1}'); // another entity's event

    await invalidateSharedResponses(writer, PREFIX, W1, metrics.responseCache);
    expect((await cache.lookup('k:1')).hit).toBeUndefined();
    expect(await redis.exists('k:1')).toBe(0); // deleted by the read that refused it
  });

  it('never keeps a response whose operation began before an invalidation of what it holds', async () => {
    const cache = store();
    const { start } = await cache.lookup('k:2');
    // The operation runs; meanwhile its workspace changes and the event is handled.
    await invalidateSharedResponses(writer, PREFIX, W1, metrics.responseCache);
    cache.store('k:2', '{"old":true}', TAGS, 60, start);
    await written();
    expect(await redis.exists('k:2')).toBe(0);
    expect((await cache.lookup('k:2')).hit).toBeUndefined();

    // One that began after it is kept.
    const again = (await cache.lookup('k:2')).start;
    cache.store('k:2', '{"new":true}', TAGS, 60, again);
    await written();
    expect((await cache.lookup('k:2')).hit?.body).toBe('{"new":true}');
  });

  it('numbers invalidations above any read before a restart that lost them', async () => {
    const cache = store();
    await invalidateSharedResponses(writer, PREFIX, W1, metrics.responseCache);
    const { start } = await cache.lookup('k:3');
    await privateRedis.restart({ keepData: false });
    await Promise.all([redis.ping(), writer.ping()]);
    await invalidateSharedResponses(writer, PREFIX, W1, metrics.responseCache);
    cache.store('k:3', '{"old":true}', TAGS, 60, start);
    await written();
    expect(await redis.exists('k:3')).toBe(0);
  });
});

describe('the memory tier', () => {
  it('keeps the most recently used responses, and drops expired ones', () => {
    const tier = new ResponseMemoryTier(2);
    tier.set('a', 'A', ['T:1'], Date.now() + 60_000);
    tier.set('b', 'B', ['T:2'], Date.now() + 60_000);
    expect(tier.get('a')).toBe('A'); // now the most recent
    tier.set('c', 'C', ['T:1'], Date.now() + 60_000);
    expect([tier.get('a'), tier.get('b'), tier.get('c')]).toEqual(['A', undefined, 'C']);
    expect(tier.forget(['T:1'])).toBe(2);
    expect(tier.count).toBe(0);
    tier.set('d', 'D', [], Date.now() - 1);
    expect(tier.get('d')).toBeUndefined();
  });

  it('serves from this process, and forgets what an invalidation heard names', async () => {
    const cache = store(10, 'memory');
    const { start } = await cache.lookup('m:1');
    cache.store('m:1', '{"a":1}', TAGS, 60, start);
    const other = (await cache.lookup('m:2')).start;
    cache.store('m:2', '{"b":2}', ['Location:l1'], 60, other);
    expect((await cache.lookup('m:1')).hit?.tier).toBe('memory');

    cache.forget([{ type: 'Workspace', id: 'w2' }]); // the type's tag: every workspace list
    expect((await cache.lookup('m:1')).hit).toBeUndefined();
    expect((await cache.lookup('m:2')).hit?.tier).toBe('memory');
  });

  it('never keeps a response whose lookup began before an invalidation heard here', async () => {
    const cache = store(10, 'memory');
    const { start } = await cache.lookup('m:3');
    cache.forget(W1);
    cache.store('m:3', '{"old":true}', TAGS, 60, start);
    expect((await cache.lookup('m:3')).hit).toBeUndefined();
  });

  it('is not used while this process hears no invalidations, and starts empty when it hears them again', async () => {
    const cache = store(10, 'memory');
    cache.store('m:4', '{"a":1}', TAGS, 60, (await cache.lookup('m:4')).start);
    expect((await cache.lookup('m:4')).hit?.tier).toBe('memory');
    cache.setListening(false);
    expect((await cache.lookup('m:4')).hit).toBeUndefined();
    cache.setListening(true);
    expect((await cache.lookup('m:4')).hit).toBeUndefined();
  });
});
