import { errorCodes, waitFor } from '@atrium/kit/testing';
import { startHealth, type Harness } from '../testing/harness';
import { HistoryService, MAX_POINTS } from './history.service';

let h: Harness;

beforeAll(async () => {
  h = await startHealth('health_history');
});

afterAll(async () => {
  await h?.close();
});

const HISTORY = `query($windowMinutes: Int!) {
  serviceHealthHistory(windowMinutes: $windowMinutes) {
    since stepSeconds
    services { service points { at status latencyMs maxLatencyMs probes failures } }
  }
}`;

interface Point { at: string; status: string; latencyMs: number | null; maxLatencyMs: number | null; probes: number; failures: number }
interface History { since: string; stepSeconds: number; services: { service: string; points: Point[] }[] }

async function history(windowMinutes = 60): Promise<History> {
  const res = await h.gql<{ serviceHealthHistory: History }>(HISTORY, { windowMinutes });
  expect(res.errors).toBeUndefined();
  return res.data!.serviceHealthHistory;
}
const pointsOf = (hist: History, service: string) => hist.services.find((s) => s.service === service)!.points;
const samples = async (service: string) =>
  (await h.server.orm.em.fork().execute<{ at: string | Date }[]>(`select "at" from "probe_sample" where "service" = ? order by "at"`, [service])).map((r) => new Date(r.at));

describe('the probe history', () => {
  it('keeps every probe and answers the last hour of every service in 10 s steps, with latencies', async () => {
    const seen = await waitFor(async () => {
      const found = await history();
      return found.services.every((s) => s.points.reduce((n, p) => n + p.probes, 0) >= 3) && found;
    }, { what: 'three probes of every service' });
    expect(seen.stepSeconds).toBe(10);
    expect(seen.services.map((s) => s.service)).toEqual(['identity', 'catalog', 'gateway']);
    expect(Date.now() - Date.parse(seen.since)).toBeGreaterThanOrEqual(3600_000);
    for (const { points } of seen.services) {
      for (const p of points) {
        expect(p).toEqual({ at: expect.any(String), status: 'UP', latencyMs: expect.any(Number), maxLatencyMs: expect.any(Number), probes: expect.any(Number), failures: 0 });
        expect(Date.parse(p.at) % 10_000).toBe(0); // steps line up across services
        expect(p.maxLatencyMs!).toBeGreaterThanOrEqual(p.latencyMs!);
      }
      const times = points.map((p) => Date.parse(p.at));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
  });

  it('marks the steps in which a service was found DOWN, with no latency for probes that got no answer', async () => {
    await h.fakes.catalog.stop();
    const down = await waitFor(async () => pointsOf(await history(), 'catalog').find((p) => p.failures > 0), { what: 'a DOWN step of catalog' });
    expect(down.status).toBe('DOWN');
    await h.fakes.catalog.start();
    // A step without failures needs a step boundary after the restart, then a probe in it:
    // up to a whole step (10 s) and a poll, more on a busy machine.
    await waitFor(async () => {
      const points = pointsOf(await history(), 'catalog');
      return points[points.length - 1].status === 'UP' && points[points.length - 1].failures === 0;
    }, { what: 'an UP step of catalog again', timeoutMs: 45_000 });
  });

  it('prunes the samples older than the retention (24 h) on the next poll, and keeps the rest', async () => {
    const now = Date.now();
    const old = new Date(now - 25 * 3600_000);
    const kept = new Date(now - 23 * 3600_000);
    await new HistoryService(h.server.orm.em.fork()).append([
      { service: 'gateway', status: 'UP', latencyMs: 7, reason: null, at: old },
      { service: 'gateway', status: 'DOWN', latencyMs: null, reason: 'timeout after 1000 ms', at: kept },
    ]);
    await waitFor(async () => !(await samples('gateway')).some((at) => at.getTime() === old.getTime()), { what: 'the 25 h old sample pruned' });
    expect((await samples('gateway')).some((at) => at.getTime() === kept.getTime())).toBe(true);

    // A day's window reaches it; the hour's does not.
    const day = await history(24 * 60);
    expect(day.stepSeconds).toBe(240);
    const first = pointsOf(day, 'gateway')[0];
    expect(first).toMatchObject({ status: 'DOWN', latencyMs: null, maxLatencyMs: null, probes: 1, failures: 1 });
    expect(Date.parse(first.at)).toBeLessThanOrEqual(kept.getTime());
    expect(kept.getTime() - Date.parse(first.at)).toBeLessThan(240_000);
    for (const s of day.services) expect(s.points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(pointsOf(await history(60), 'gateway').every((p) => Date.parse(p.at) > now - 3700_000)).toBe(true);
  });

  it('refuses a window under a minute or over a day, naming windowMinutes', async () => {
    for (const windowMinutes of [0, -5, 24 * 60 + 1]) {
      const res = await h.gql(HISTORY, { windowMinutes });
      expect(res.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'windowMinutes' }) })]);
      expect(res.data?.serviceHealthHistory ?? null).toBeNull();
    }
  });

  it('is for admins only, like systemHealth', async () => {
    expect(errorCodes(await h.gql(HISTORY, { windowMinutes: 60 }, h.tokens.member))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await h.gql(HISTORY, { windowMinutes: 60 }, null))).toEqual(['UNAUTHENTICATED']);
  });
});
