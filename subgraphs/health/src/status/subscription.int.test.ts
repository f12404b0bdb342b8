import { createTestIssuer, subscribe, waitFor, waitForOpenSubscriptions, type TestSubscription } from '@atrium/kit/testing';
import { startHealth, type Harness } from '../testing/harness';
import { StatusService } from './status.service';

const CHANGED = `subscription { serviceHealthChanged { name status latencyMs checkedAt changedAt reason url } }`;
const SERVICES = `{ services { name status latencyMs checkedAt changedAt reason url } }`;

let h: Harness;
let open: TestSubscription[] = [];

beforeAll(async () => {
  h = await startHealth('health_subscription');
  // The first observations (UNKNOWN → UP) are news too: let them pass before any test listens.
  await waitFor(async () => {
    const res = await h.gql<{ services: { status: string }[] }>(SERVICES);
    return res.data?.services.every((s) => s.status === 'UP');
  }, { what: 'every service UP' });
});

afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
  await waitForOpenSubscriptions(h.server.metrics, 0);
});

afterAll(async () => {
  await h?.close();
});

/** serviceHealthChanged as `token`'s caller, once the subgraph is listening. */
async function live(token: string | null): Promise<TestSubscription> {
  const sub = subscribe(`${h.server.url}/graphql`, CHANGED, {}, token ? { token } : {});
  open.push(sub);
  await waitForOpenSubscriptions(h.server.metrics, open.length);
  return sub;
}

describe('serviceHealthChanged', () => {
  it('delivers each status change the monitor records, to members and admins alike, as `services` shows it', async () => {
    const member = await live(h.tokens.member);
    const admin = await live(h.tokens.admin);
    h.fakes.identity.status = 503;
    const down = (await member.next(0)).data!.serviceHealthChanged;
    expect(down).toMatchObject({ name: 'identity', status: 'DOWN', reason: '503 Service Unavailable', url: h.fakes.identity.url });
    expect((await admin.next(0)).data!.serviceHealthChanged).toEqual(down);
    const listed = (await h.gql<{ services: { name: string }[] }>(SERVICES)).data!.services.find((s) => s.name === 'identity');
    expect(listed).toMatchObject({ status: 'DOWN', changedAt: down.changedAt });

    h.fakes.identity.status = 200;
    expect((await member.next(1)).data!.serviceHealthChanged).toMatchObject({ name: 'identity', status: 'UP', reason: null, latencyMs: expect.any(Number) });
    // Polls that change nothing (every 200 ms) are no news.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(member.results).toHaveLength(2);
  });

  it('publishes nothing for a status change that rolls back', async () => {
    const sub = await live(h.tokens.member);
    await expect(
      h.server.orm.em.fork().transactional(async (em) => {
        const changes = await new StatusService(em).record(
          [{ service: 'catalog', status: 'DOWN', latencyMs: null, reason: 'rolled back', at: new Date() }],
          'test-rollback',
        );
        expect(changes).toHaveLength(1);
        throw new Error('the poll failed after recording');
      }),
    ).rejects.toThrow('poll failed');
    h.fakes.gateway.status = 503;
    expect((await sub.next(0)).data!.serviceHealthChanged).toMatchObject({ name: 'gateway', status: 'DOWN' });
    h.fakes.gateway.status = 200;
    await sub.next(1);
    expect(sub.results.map((r) => r.data!.serviceHealthChanged.name)).toEqual(['gateway', 'gateway']);
  });

  it('refuses a bad token with UNAUTHENTICATED, and an anonymous caller too', async () => {
    const stranger = await createTestIssuer();
    const forged = subscribe(`${h.server.url}/graphql`, CHANGED, {}, { token: await stranger.token({ roles: ['ADMIN'] }) });
    const anonymous = subscribe(`${h.server.url}/graphql`, CHANGED, {});
    open.push(forged, anonymous);
    expect(await forged.ended).toEqual({ completed: false, error: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }] });
    expect((await anonymous.next(0)).errors).toEqual([expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })]);
  });
});
