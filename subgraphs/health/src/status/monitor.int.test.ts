import type { EventEnvelope, ServiceStatusChange } from '@atrium/kit/subgraph';
import { errorCodes, waitFor } from '@atrium/kit/testing';
import { startHealth, type Harness } from '../testing/harness';

let h: Harness;

beforeAll(async () => {
  h = await startHealth('health_monitor');
});

afterAll(async () => {
  await h?.close();
});

const SERVICES = `{ services { name status latencyMs checkedAt changedAt reason url } }`;
const INCIDENTS = `query($openOnly: Boolean) {
  incidents(first: 50, openOnly: $openOnly) { totalCount edges { node { id service startedAt resolvedAt durationMs reason open } } }
}`;

type Service = { name: string; status: string; latencyMs: number | null; checkedAt: string | null; changedAt: string | null; reason: string | null; url: string };
type IncidentNode = { id: string; service: string; startedAt: string; resolvedAt: string | null; durationMs: number | null; reason: string | null; open: boolean };

async function services(): Promise<Record<string, Service>> {
  const res = await h.gql<{ services: Service[] }>(SERVICES);
  expect(res.errors).toBeUndefined();
  return Object.fromEntries(res.data!.services.map((s) => [s.name, s]));
}

async function incidents(openOnly = false): Promise<IncidentNode[]> {
  const res = await h.gql(INCIDENTS, { openOnly });
  expect(res.errors).toBeUndefined();
  return (res.data!.incidents.edges as { node: IncidentNode }[]).map((e) => e.node);
}

async function statusEvents(service: string): Promise<ServiceStatusChange[]> {
  const all = (await h.events.all()) as EventEnvelope<'service.status_changed'>[];
  return all.filter((e) => e.type === 'service.status_changed' && e.data.service === service).map((e) => e.data);
}

describe('the health monitor', () => {
  it('lists every subgraph of supergraph.yaml but itself, then the gateway, all UP with a latency', async () => {
    const seen = await waitFor(async () => {
      const all = await services();
      return Object.values(all).every((s) => s.status === 'UP') && all;
    }, { what: 'every service UP' });
    expect(Object.keys(seen)).toEqual(['identity', 'catalog', 'gateway']);
    for (const s of Object.values(seen)) {
      expect(s.latencyMs).toEqual(expect.any(Number));
      expect(s.checkedAt).toEqual(expect.any(String));
      expect(s.reason).toBeNull();
    }
    expect(seen.identity.url).toBe(h.fakes.identity.url);
    expect(seen.catalog.url).toBe(h.fakes.catalog.url);
    expect(seen.gateway.url).toBe(h.fakes.gateway.url);
  });

  it('records the first observation of each service as a change from nothing, with no incident', async () => {
    await waitFor(async () => (await statusEvents('gateway')).length > 0, { what: 'the first gateway event' });
    expect(await statusEvents('gateway')).toEqual([{ service: 'gateway', status: 'UP', previous: null, latencyMs: expect.any(Number), reason: null, incidentId: null }]);
    expect(await incidents()).toEqual([]);
  });

  it('marks a stopped service DOWN, opens one incident and records the change with its reason', async () => {
    await h.fakes.catalog.stop();
    const down = await waitFor(async () => {
      const catalog = (await services()).catalog;
      return catalog.status === 'DOWN' && catalog;
    }, { what: 'catalog DOWN' });
    expect(down.reason).toBe('connection refused');
    expect(down.latencyMs).toBeNull();

    const open = await incidents(true);
    expect(open).toEqual([expect.objectContaining({ service: 'catalog', open: true, resolvedAt: null, durationMs: null, reason: 'connection refused' })]);
    const event = await waitFor(async () => (await statusEvents('catalog')).find((e) => e.status === 'DOWN'), { what: 'the DOWN event' });
    expect(event).toEqual({ service: 'catalog', status: 'DOWN', previous: 'UP', latencyMs: null, reason: 'connection refused', incidentId: open[0].id });
  });

  it('keeps a single open incident while the service stays DOWN', async () => {
    // Several more polls (200 ms apart) find it still down.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await incidents(true)).toHaveLength(1);
    expect((await statusEvents('catalog')).filter((e) => e.status === 'DOWN')).toHaveLength(1);
  });

  it('marks it UP again when it comes back and resolves the incident with its duration', async () => {
    await h.fakes.catalog.start();
    await waitFor(async () => (await services()).catalog.status === 'UP', { what: 'catalog UP again' });
    const all = await incidents();
    expect(all).toHaveLength(1);
    expect(all[0]).toEqual(expect.objectContaining({ service: 'catalog', open: false, resolvedAt: expect.any(String) }));
    expect(all[0].durationMs).toBeGreaterThan(0);
    expect(await incidents(true)).toEqual([]);

    const events = await waitFor(async () => {
      const found = await statusEvents('catalog');
      return found.length === 3 && found;
    }, { what: 'the UP event' });
    expect(events.map((e) => [e.previous, e.status])).toEqual([[null, 'UP'], ['UP', 'DOWN'], ['DOWN', 'UP']]);
    expect(events[2]).toEqual({ service: 'catalog', status: 'UP', previous: 'DOWN', latencyMs: expect.any(Number), reason: null, incidentId: all[0].id });
  });

  it('reports a non-200 readiness as DOWN with its status line', async () => {
    h.fakes.identity.status = 503;
    const down = await waitFor(async () => {
      const identity = (await services()).identity;
      return identity.status === 'DOWN' && identity;
    }, { what: 'identity DOWN' });
    expect(down.reason).toBe('503 Service Unavailable');
    expect(down.latencyMs).toEqual(expect.any(Number));
    h.fakes.identity.status = 200;
    await waitFor(async () => (await services()).identity.status === 'UP', { what: 'identity UP again' });
  });
});

describe('access', () => {
  it('lets any signed-in user list services, not an anonymous caller', async () => {
    expect((await h.gql(SERVICES, {}, h.tokens.member)).errors).toBeUndefined();
    expect(errorCodes(await h.gql(SERVICES, {}, null))).toEqual(['UNAUTHENTICATED']);
  });

  it('keeps incidents and systemHealth to admins', async () => {
    expect(errorCodes(await h.gql(INCIDENTS, {}, h.tokens.member))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await h.gql('{ systemHealth { status } }', {}, h.tokens.member))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await h.gql('{ systemHealth { status } }', {}, null))).toEqual(['UNAUTHENTICATED']);
  });
});
