import { createMetrics } from '@atrium/kit';
import type { Counter } from 'prom-client';
import express from 'express';
import { GraphQLError } from 'graphql';
import type { AddressInfo } from 'node:net';
import { dashboard } from './dashboard';
import { REQUESTS_METRIC, trafficHistory } from './dashboard-traffic';

function setup(keep?: number) {
  const metrics = createMetrics('gateway');
  const counter = metrics.registry.getSingleMetric(REQUESTS_METRIC) as Counter<string>;
  let clock = 1_700_000_000_000;
  const history = trafficHistory(metrics.registry, { timer: false, keep, now: () => clock });
  const requests = (n: number, status: 'ok' | 'error', operation = 'Op') => counter.inc({ service: 'gateway', operation, status }, n);
  return { history, requests, advance: (ms: number) => (clock += ms) };
}

describe('the gateway traffic history', () => {
  it('turns the request counter into requests per second and error ratio per step, every operation summed', async () => {
    const t = setup();
    t.requests(40, 'ok', 'A');
    t.requests(50, 'ok', 'B');
    t.requests(10, 'error', 'B');
    t.advance(10_000);
    await t.history.sample();
    t.advance(10_000);
    await t.history.sample(); // a quiet step
    t.requests(5, 'ok');
    t.advance(2_500);
    const { stepSeconds, points } = await t.history.report();
    expect(stepSeconds).toBe(10);
    expect(points).toEqual([
      { at: expect.any(String), seconds: 10, requests: 100, errors: 10, rps: 10, errorRatio: 0.1 },
      { at: expect.any(String), seconds: 10, requests: 0, errors: 0, rps: 0, errorRatio: null },
      { at: expect.any(String), seconds: 2.5, requests: 5, errors: 0, rps: 2, errorRatio: 0, partial: true },
    ]);
    expect(Date.parse(points[1].at) - Date.parse(points[0].at)).toBe(10_000);
  });

  it('keeps only the last `keep` steps', async () => {
    const t = setup(3);
    for (let i = 1; i <= 5; i++) {
      t.requests(i, 'ok');
      t.advance(10_000);
      await t.history.sample();
    }
    const { points } = await t.history.report();
    expect(points.map((p) => p.requests)).toEqual([3, 4, 5, 0]);
  });
});

describe('GET /dashboard/api/traffic', () => {
  const t = setup();
  const tokens: Record<string, { userId: string; roles: string[]; scopes: string[] } | 'bad'> = {
    admin: { userId: 'a', roles: ['ADMIN'], scopes: ['system:admin'] },
    member: { userId: 'm', roles: ['MEMBER'], scopes: [] },
    bad: 'bad',
  };
  let base: string;
  let close: () => Promise<unknown>;
  beforeAll(async () => {
    const app = express();
    app.use(
      '/dashboard',
      dashboard(undefined, {
        traffic: t.history,
        identify: async (req) => {
          const found = tokens[req.header('authorization')?.replace('Bearer ', '') ?? ''];
          if (found === 'bad') throw new GraphQLError('Invalid token', { extensions: { code: 'UNAUTHENTICATED' } });
          return (found ?? null) as never;
        },
      }),
    );
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dashboard/api/traffic`;
    close = () => new Promise((resolve) => server.close(resolve));
  });
  afterAll(() => close());

  const get = async (token?: string) => {
    const res = await fetch(base, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, body: await res.json(), cache: res.headers.get('cache-control') };
  };

  it('answers an admin with the report, uncached, even without a built page', async () => {
    t.requests(3, 'ok');
    const res = await get('admin');
    expect(res).toMatchObject({ status: 200, cache: 'no-store', body: { stepSeconds: 10, points: [expect.objectContaining({ requests: 3, partial: true })] } });
  });

  it('refuses anonymous callers and bad tokens (401) and members (403), in /graphql error shape', async () => {
    expect(await get()).toMatchObject({ status: 401, body: { errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] } });
    expect(await get('bad')).toMatchObject({ status: 401, body: { errors: [{ message: 'Invalid token', extensions: { code: 'UNAUTHENTICATED' } }] } });
    expect(await get('member')).toMatchObject({ status: 403, body: { errors: [{ extensions: { code: 'FORBIDDEN' } }] } });
  });
});

describe('a registry that cannot be read', () => {
  it('fails the report, without an unhandled rejection at start', async () => {
    const broken = { getSingleMetric: () => ({ get: () => Promise.reject(new Error('registry unavailable')) }) } as never;
    const history = trafficHistory(broken, { timer: false });
    await new Promise((resolve) => setImmediate(resolve));
    await expect(history.report()).rejects.toThrow('registry unavailable');
    history.close();
  });
});
