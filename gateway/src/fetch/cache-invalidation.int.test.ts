import { startPrivateRedis, testLogger, waitFor, type PrivateRedis } from '@atrium/kit/testing';
import IORedis from 'ioredis';
import { createGatewayMetrics } from '../ops/metrics';
import { startInvalidation, type Invalidation } from './cache-invalidation';
import type { EntityRef } from './cache-invalidation-map';

// The invalidation consumer on a Redis of its own, which the test kills.
let privateRedis: PrivateRedis;
let redis: IORedis;

beforeAll(async () => {
  privateRedis = await startPrivateRedis();
  redis = new IORedis(privateRedis.url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
});
afterAll(async () => {
  redis?.disconnect();
  await privateRedis?.stop();
});

describe('invalidation of the entity cache by domain events', () => {
  it('deletes a changed entity’s shared entries once, tells every process, and closes promptly with Redis gone', async () => {
    const heard: EntityRef[][] = [];
    const listening: boolean[] = [];
    const metrics = createGatewayMetrics();
    const start = () =>
      startInvalidation({
        redis,
        stream: 'events',
        group: 'gateway-cache',
        prefix: 'cache',
        metrics: metrics.cache,
        log: testLogger('cache'),
        onForget: (entities) => heard.push(entities),
        onListening: (on) => listening.push(on),
      });
    const replicas: Invalidation[] = [await start(), await start()];
    await waitFor(() => listening.filter(Boolean).length === 2, { what: 'both replicas to listen' });
    await redis.hset('cache:e:Workspace:w1', 'catalog:h:public', '{}');
    await redis.xadd('events', '*', 'event', JSON.stringify({ type: 'workspace.updated', data: { workspaceId: 'w1', locationId: 'l1' } }));
    await waitFor(() => heard.length === 2, { what: 'both replicas to hear the invalidation' });
    expect(heard[0]).toEqual([
      { type: 'Workspace', id: 'w1' },
      { type: 'Location', id: 'l1' },
    ]);
    expect(await redis.exists('cache:e:Workspace:w1')).toBe(0);
    expect(await redis.get('cache:g:Workspace:w1')).toBe('1'); // deleted once, by one replica of the group

    await privateRedis.kill();
    await waitFor(() => listening.at(-1) === false, { what: 'the replicas to notice' });
    for (const replica of replicas) await replica.close();
    await privateRedis.restart({ keepData: false });
  });
});
