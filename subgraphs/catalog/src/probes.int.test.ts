import { loadConfig } from '@atrium/kit';
import { createTestDatabase, startPrivateRedis, startTcpProxy, testLogger, waitFor, type PrivateRedis, type TcpProxy, type TestDatabase } from '@atrium/kit/testing';
import { catalogEnv } from './config';
import { createServer } from './server';

// kit's probes, on a real subgraph whose database sits behind a proxy that can hang and whose
// Redis is a private one this suite kills: readiness is the subgraph's own database only,
// and no probe waits on a dependency that hangs.
let db: TestDatabase;
let proxy: TcpProxy;
let redis: PrivateRedis;
let server: Awaited<ReturnType<typeof createServer>>;

/** A probe must answer well within this, whatever is down (its checks have 800 ms). */
const PROBE_BUDGET_MS = 2_500;
const probe = async (path: string) => {
  const res = await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(PROBE_BUDGET_MS) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  db = await createTestDatabase('catalog_probes');
  const target = new URL(db.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  target.port = String(proxy.port);
  redis = await startPrivateRedis();
  const config = loadConfig(catalogEnv, { DATABASE_URL: target.toString(), PORT: '0', REDIS_URL: redis.url });
  server = await createServer(config, { log: testLogger() });
}, 120_000);

afterAll(async () => {
  proxy?.blackhole(false);
  if (redis) await redis.restart({ keepData: false }); // lets jobs and the relay close cleanly
  await server?.close();
  await proxy?.close();
  await redis?.stop();
  await db?.drop();
}, 120_000);

describe('a subgraph\'s probes', () => {
  it('are live and ready, with every dependency up on /status', async () => {
    expect(await probe('/health')).toEqual({ status: 200, body: { status: 'ok', service: 'catalog' } });
    expect(await probe('/ready')).toEqual({ status: 200, body: { status: 'ready', service: 'catalog', postgres: 'up' } });
    expect(await probe('/status')).toEqual({ status: 200, body: { service: 'catalog', ready: true, postgres: 'up', redis: 'up' } });
  });

  it('stay ready while Redis is down, answering at once, and report Redis down on /status and /metrics', async () => {
    await redis.kill();
    expect((await probe('/ready')).status).toBe(200);
    expect((await probe('/status')).body).toMatchObject({ ready: true, postgres: 'up', redis: 'down' });
    const metrics = await (await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(PROBE_BUDGET_MS) })).text();
    expect(metrics).toContain('atrium_dependency_up{service="catalog",dependency="redis"} 0');
    expect(metrics).toContain('atrium_dependency_up{service="catalog",dependency="postgres"} 1');
    await redis.restart({ keepData: false });
    await waitFor(async () => (await probe('/status')).body.redis === 'up', { timeoutMs: 30_000 });
  });

  it('are not ready while the database hangs, answering within the budget, and ready again once it answers', async () => {
    proxy.blackhole(true);
    expect(await probe('/ready')).toEqual({ status: 503, body: { status: 'unavailable', service: 'catalog', postgres: 'down' } });
    expect((await probe('/health')).status).toBe(200);
    proxy.blackhole(false);
    await waitFor(async () => (await probe('/ready')).status === 200, { timeoutMs: 60_000 });
  });
});
