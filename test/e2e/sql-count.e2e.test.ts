import { connectRedis, type Redis } from '@atrium/kit';
import { countStatements } from '@atrium/kit/subgraph';
import { graphql, waitFor } from '@atrium/kit/testing';
import { groups } from '../../scripts/lib/events-cli';
import { scrape } from '../../gateway/src/testing/foreign-supergraph';
import { castOfUsers, startSupergraph, type RunningSupergraph, type Session, type SubgraphName } from '../support/supergraph';

let sg: RunningSupergraph;
let member: Session;
let redis: Redis;

const QUERY = `query($n: Int!) { me { bookings(first: $n) { totalCount edges { node {
  status price { amount currency } workspace { name location { city } } user { name } payment { status last4 }
} } } } }`;

beforeAll(async () => {
  sg = await startSupergraph();
  redis = await connectRedis(sg.events.env.REDIS_URL, 'sql-count');
  const cast = await castOfUsers(sg.url);
  member = cast.member;
  const loc = await graphql(sg.url, `mutation { createLocation(input: { name: "L", city: "Lyon", address: "A", timezone: "Europe/Paris" }) { id } }`, {}, { token: cast.manager.accessToken });
  const workspaces: string[] = [];
  for (let i = 0; i < 5; i++) {
    const ws = await graphql(
      sg.url,
      `mutation($l: ID!, $n: String!) { createWorkspace(input: { locationId: $l, name: $n, kind: DESK, capacity: 1, hourlyRate: { amount: 500, currency: "EUR" } }) { id } }`,
      { l: loc.data!.createLocation.id, n: `Desk ${i}` },
      { token: cast.manager.accessToken },
    );
    workspaces.push(ws.data!.createWorkspace.id);
  }
  // 50 bookings over 5 workspaces, all paid.
  const start = Date.UTC(new Date().getUTCFullYear() + 1, 0, 10, 8);
  for (let batch = 0; batch < 5; batch++) {
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const n = batch * 10 + i;
        const startsAt = new Date(start + n * 3 * 3600_000).toISOString();
        const endsAt = new Date(start + (n * 3 + 1) * 3600_000).toISOString();
        const booking = await waitFor(async () =>
          (await graphql(sg.url, `mutation($input: CreateBookingInput!) { createBooking(input: $input) { id } }`, { input: { workspaceId: workspaces[n % 5], startsAt, endsAt } }, { token: member.accessToken })).data
            ?.createBooking,
        );
        const paid = await graphql(
          sg.url,
          `mutation($input: PayForBookingInput!) { payForBooking(input: $input) { status } }`,
          { input: { bookingId: booking.id, card: { number: '4242424242424242', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' } } },
          { token: member.accessToken },
        );
        expect([paid.data?.payForBooking.status, paid.errors]).toEqual(['SUCCEEDED', undefined]);
      }),
    );
  }
  // Let every consumer catch up, so only the query's own statements are counted.
  await waitFor(async () => (await groups(redis, sg.events.env.EVENTS_STREAM)).every((g) => g.pending === 0 && (g.lag ?? 0) === 0), { timeoutMs: 30_000 });
});

afterAll(async () => {
  redis?.disconnect();
  await sg?.close();
});

async function statementsFor(n: number): Promise<Record<SubgraphName, number>> {
  const names: SubgraphName[] = ['identity', 'catalog', 'booking', 'payment'];
  const counters = names.map((name) => [name, countStatements(sg.subgraphs[name].orm)] as const);
  const res = await graphql(sg.url, QUERY, { n }, { token: member.accessToken });
  for (const [, c] of counters) c.stop();
  expect(res.errors).toBeUndefined();
  expect(res.data!.me.bookings.edges).toHaveLength(n);
  expect(res.data!.me.bookings.edges[0].node).toMatchObject({ status: 'CONFIRMED', workspace: { location: { city: 'Lyon' } }, user: { name: 'Mia Member' }, payment: { status: 'SUCCEEDED', last4: '4242' } });
  return Object.fromEntries(counters.map(([name, c]) => [name, c.count])) as Record<SubgraphName, number>;
}

describe('no N+1 across the supergraph', () => {
  it('costs a fixed number of SQL statements per subgraph for 50 bookings with workspace, location, user and payment', async () => {
    const fifty = await statementsFor(50);
    // identity: `me` + one batch of users; catalog: one batch of workspaces + one of their
    // locations; booking: the page with its totalCount; payment: one batch of payments.
    expect(fifty).toEqual({ identity: 2, catalog: 2, booking: 1, payment: 1 });
    expect(await statementsFor(5)).toEqual(fifty); // the same for 5 as for 50
  });
});

// The regression guard of docs/benchmarks.md: costs that must not creep up, as exact counts
// (never timings): subgraph requests per operation, and no re-planning of a known operation.
describe('fixed costs per request', () => {
  const SUBGRAPHS: SubgraphName[] = ['identity', 'catalog', 'booking', 'payment', 'notification', 'reporting'];
  const fetchesFor = async (n: number, requestId: string) => {
    const before = Object.fromEntries(SUBGRAPHS.map((name) => [name, sg.received[name].length]));
    const res = await graphql(sg.url, QUERY, { n }, { token: member.accessToken, headers: { 'x-request-id': requestId } });
    expect(res.errors).toBeUndefined();
    return Object.fromEntries(SUBGRAPHS.map((name) => [name, sg.received[name].length - before[name]]).filter(([, d]) => d !== 0));
  };

  it('asks each subgraph a fixed number of times per operation, whatever the page size', async () => {
    // identity: `me`, then one batch of users; booking: the page; catalog: one batch of
    // workspaces with their locations; payment: one batch of payments.
    const expected = { identity: 2, booking: 1, catalog: 1, payment: 1 };
    expect(await fetchesFor(50, 'guard-1')).toEqual(expected);
    expect(await fetchesFor(5, 'guard-2')).toEqual(expected);
  });

  it('plans an operation once: repeats, other variables and other callers of the same scopes reuse the plan', async () => {
    await fetchesFor(7, 'guard-warm'); // planned here at the latest
    const plans = async () => (await scrape(sg.gateway))('atrium_query_plans_built_total');
    const before = await plans();
    for (let i = 0; i < 5; i++) await fetchesFor(3 + i, `guard-repeat-${i}`);
    expect(await plans()).toBe(before);
    // A new operation shape is planned, once.
    const other = `query { me { bookings(first: 2) { totalCount } } }`;
    for (let i = 0; i < 3; i++) expect((await graphql(sg.url, other, {}, { token: member.accessToken })).errors).toBeUndefined();
    expect(await plans()).toBe(before + 1);
  });
});
