import { errorCodes, graphql, subscribe, waitFor } from '@atrium/kit/testing';
import { castOfUsers, startSupergraph, type RunningSupergraph, type Session } from '../support/supergraph';

let sg: RunningSupergraph;
let admin: Session;
let member: Session;

beforeAll(async () => {
  sg = await startSupergraph({ HEALTH_POLL_INTERVAL_MS: '300' });
  ({ admin, member } = await castOfUsers(sg.url));
});
afterAll(async () => {
  await sg?.close();
});

describe('the health monitor through the gateway', () => {
  it('sees every subgraph and the gateway UP, and reports Redis, PostgreSQL, the event stream and the queues', async () => {
    const services = await waitFor(async () => {
      const res = await graphql(sg.url, '{ services { name status latencyMs } }', {}, { token: member.accessToken });
      const list = (res.data?.services ?? []) as { name: string; status: string }[];
      return list.length === 7 && list.every((s) => s.status === 'UP') && list;
    }, { what: 'every service UP' });
    expect(services.map((s) => s.name).sort()).toEqual(['booking', 'catalog', 'gateway', 'identity', 'notification', 'payment', 'reporting']);

    const health = await graphql(
      sg.url,
      '{ systemHealth { status redis { status } postgres { status } eventStream { length groups { name } } queues { name } } }',
      {},
      { token: admin.accessToken },
    );
    expect(health.data!.systemHealth).toMatchObject({ status: 'UP', redis: { status: 'UP' }, postgres: { status: 'UP' } });
    expect(health.data!.systemHealth.eventStream.length).toBeGreaterThan(0);
    expect(health.data!.systemHealth.eventStream.groups.map((g: { name: string }) => g.name)).toEqual(
      expect.arrayContaining(['booking', 'payment', 'notification', 'reporting']),
    );
    expect(health.data!.systemHealth.queues.map((q: { name: string }) => q.name)).toEqual(expect.arrayContaining(['health-poll']));
    expect(errorCodes(await graphql(sg.url, '{ systemHealth { status } }', {}, { token: member.accessToken }))).toEqual(['FORBIDDEN']);
  });

  it('opens an incident, alerts admins and tells subscribers when a subgraph stops, and closes it when it is back', async () => {
    const live = subscribe(sg.url, 'subscription { serviceHealthChanged { name status } }', {}, { token: admin.accessToken });
    await waitFor(async () => sg.gateway.hub.size > 0 || undefined, { what: 'the subscription to open' });
    await sg.stop('reporting'); // the service goes away…
    await waitFor(async () => {
      const res = await graphql(sg.url, '{ incidents(first: 5, openOnly: true) { edges { node { service open } } } }', {}, { token: admin.accessToken });
      return res.data?.incidents.edges.some((e: { node: { service: string } }) => e.node.service === 'reporting');
    }, { what: 'an open incident for reporting' });
    await sg.mail.waitFor((m) => m.to.includes('admin@atrium.test') && m.subject === 'Service down: reporting', 15_000);

    await sg.restart('reporting'); // …and comes back on its port
    const resolved = await waitFor(async () => {
      const res = await graphql(sg.url, '{ incidents(first: 5) { edges { node { service open durationMs } } } }', {}, { token: admin.accessToken });
      return res.data?.incidents.edges.find((e: { node: { service: string; open: boolean } }) => e.node.service === 'reporting' && !e.node.open)?.node;
    }, { what: 'the incident to be resolved' });
    expect(resolved.durationMs).toBeGreaterThan(0);
    await sg.mail.waitFor((m) => m.to.includes('admin@atrium.test') && m.subject === 'Service back up: reporting', 15_000);
    // Subscribers saw it go DOWN and come back UP, live, through the gateway.
    const changes = () => live.results.map((r) => r.data?.serviceHealthChanged).filter((c) => c?.name === 'reporting').map((c) => c.status);
    await waitFor(async () => changes().includes('UP') || undefined, { what: 'reporting UP on the subscription' });
    expect(changes()).toEqual(['DOWN', 'UP']);
    await live.close();
    // The gateway's own readiness failed while reporting was away (it needs every subgraph):
    // its incident closes too, a poll or two later (the gateway caches readiness for 2 s).
    await waitFor(async () => {
      const open = await graphql(sg.url, '{ incidents(first: 5, openOnly: true) { totalCount } }', {}, { token: admin.accessToken });
      return open.data?.incidents.totalCount === 0;
    }, { what: 'every incident to be resolved' });
  });
});
