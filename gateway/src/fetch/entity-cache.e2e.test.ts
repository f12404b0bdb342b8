import { graphql, startPrivateRedis, testEnv, waitFor, type PrivateRedis } from '@atrium/kit/testing';
import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { castOfUsers, register, startSupergraph, type RunningSupergraph, type Session } from '../../../test/support/supergraph';
import type { Gateway } from '../gateway';
import { book, counterSum, groupCaughtUp, relayed } from '../testing/cache-e2e';

// The entity cache on the whole platform: two gateway replicas (A and B) with CACHE=redis on
// one supergraph, sharing Redis (keys of this suite's own prefix) and the suite's event
// stream; the harness's first gateway runs uncached and serves the writes of the setup.
let sg: RunningSupergraph;
let a: Gateway;
let b: Gateway;
let member: Session;
let member2: Session;
let manager: Session;
let admin: Session;
let redis: IORedis;
const workspaces: string[] = [];
const bookings: Record<string, string> = {};
const PREFIX = `test:cache:${randomUUID()}`;

const endpoint = (gateway: Gateway) => `${gateway.url}/graphql`;
const gql = (gateway: Gateway | string, query: string, variables: Record<string, unknown>, token?: string) =>
  graphql(typeof gateway === 'string' ? gateway : endpoint(gateway), query, variables, { token });


/** `_entities` fetches of one type a subgraph received so far. */
const entityFetches = (subgraph: 'catalog' | 'payment', type: string) => sg.received[subgraph].filter((q) => q.includes('_entities') && q.includes(`on ${type}`)).length;

/**
 * Every event on the stream so far (wait for it to be relayed first: `relayed`) has been handled by the gateways' group (nothing left to
 * deliver, nothing pending) and both replicas heard every invalidation published for them.
 */
async function settled(): Promise<void> {
  await waitFor(
    async () => {
      if (!(await groupCaughtUp(redis, sg.events.env.EVENTS_STREAM))) return false;
      const deleted = (await counterSum(a, 'atrium_cache_invalidations_total', { tier: 'redis' })) + (await counterSum(b, 'atrium_cache_invalidations_total', { tier: 'redis' }));
      const heardA = await counterSum(a, 'atrium_cache_invalidations_total', { tier: 'memory' });
      const heardB = await counterSum(b, 'atrium_cache_invalidations_total', { tier: 'memory' });
      return heardA === deleted && heardB === deleted;
    },
    { timeoutMs: 60_000, what: 'the gateways to have handled every event' },
  );
}

const MY_BOOKINGS = `{ me { bookings(first: 10) { edges { node { id workspace { id name location { city } } } } } } }`;
const BOOKING = `query($id: ID!) { booking(id: $id) { id status payment { status } workspace { name } } }`;



beforeAll(async () => {
  sg = await startSupergraph();
  redis = new IORedis(testEnv.redisUrl);
  ({ member, manager, admin } = await castOfUsers(sg.url));
  member2 = await register(sg.url, 'member2@atrium.test', 'Noa Member');
  // ROOT_CACHE off: this suite is about `_entities` fetches (fetch/root-cache.e2e.test.ts tests the root cache, with this one).
  const env = { CACHE: 'redis', CACHE_PREFIX: PREFIX, EVENTS_STREAM: sg.events.env.EVENTS_STREAM, ROOT_CACHE: 'off' };
  a = await sg.anotherGateway(env);
  b = await sg.anotherGateway(env);
  const location = await gql(sg.url, `mutation { createLocation(input: { name: "Atrium Docks", city: "Hamburg", address: "Kai 1", timezone: "Europe/Berlin" }) { id } }`, {}, manager.accessToken);
  for (let i = 1; i <= 4; i++) {
    const created = await gql(
      sg.url,
      `mutation($l: ID!, $n: String!) { createWorkspace(input: { locationId: $l, name: $n, kind: DESK, capacity: 1, hourlyRate: { amount: 900, currency: "EUR" } }) { id } }`,
      { l: location.data!.createLocation.id, n: `Dock desk ${i}` },
      manager.accessToken,
    );
    workspaces.push(created.data!.createWorkspace.id);
  }
  for (const id of workspaces) await relayed(sg, 'workspace.created', (data) => data.workspaceId === id);
  bookings.first = await book(sg, member, workspaces[0], 2);
  bookings.second = await book(sg, member, workspaces[1], 3);
  bookings.other = await book(sg, member2, workspaces[0], 4);
  await settled();
});

afterAll(async () => {
  await sg?.close();
  if (redis) {
    const keys = await redis.keys(`${PREFIX}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
});

describe('the entity cache (CACHE=redis) on two gateway replicas', () => {
  it('answers entities from the cache on the next read, and fetches only the ones it lacks', async () => {
    const before = entityFetches('catalog', 'Workspace');
    const first = await gql(a, MY_BOOKINGS, {}, member.accessToken);
    expect(first.errors).toBeUndefined();
    expect(first.data!.me.bookings.edges).toHaveLength(2);
    expect(entityFetches('catalog', 'Workspace')).toBe(before + 1);

    const second = await gql(a, MY_BOOKINGS, {}, member.accessToken);
    expect(second.data).toEqual(first.data);
    expect(entityFetches('catalog', 'Workspace')).toBe(before + 1); // no fetch at all

    // A third booking, on a workspace the cache has never seen.
    bookings.third = await book(sg, member, workspaces[2], 5);
    await settled();
    const [hits, misses] = [await counterSum(a, 'atrium_cache_hits_total', { type: 'Workspace' }), await counterSum(a, 'atrium_cache_misses_total', { type: 'Workspace' })];
    const third = await gql(a, MY_BOOKINGS, {}, member.accessToken);
    const uncached = await gql(sg.url, MY_BOOKINGS, {}, member.accessToken);
    expect(third.data).toEqual(uncached.data); // the same answer, in the same order
    expect(third.data!.me.bookings.edges).toHaveLength(3);
    expect(entityFetches('catalog', 'Workspace')).toBe(before + 1 + 1 + 1); // the uncached gateway's, and A's with one representation
    expect(await counterSum(a, 'atrium_cache_misses_total', { type: 'Workspace' })).toBe(misses + 1);
    expect(await counterSum(a, 'atrium_cache_hits_total', { type: 'Workspace' })).toBe(hits + 2);

    // The other replica, with an empty memory tier, finds them in Redis.
    const atB = entityFetches('catalog', 'Workspace');
    const fromB = await gql(b, MY_BOOKINGS, {}, member.accessToken);
    expect(fromB.data).toEqual(uncached.data);
    expect(entityFetches('catalog', 'Workspace')).toBe(atB);
    expect(await counterSum(b, 'atrium_cache_hits_total', { type: 'Workspace', tier: 'redis' })).toBeGreaterThanOrEqual(3);
  });

  it('never serves one user’s PRIVATE entry to another: each caller is fetched and cached on their own', async () => {
    const before = entityFetches('payment', 'Booking');
    const mine = await gql(a, BOOKING, { id: bookings.first }, member.accessToken);
    expect(mine.errors).toBeUndefined();
    expect(mine.data!.booking).toMatchObject({ id: bookings.first, payment: null });
    await gql(a, BOOKING, { id: bookings.first }, member.accessToken);
    expect(entityFetches('payment', 'Booking')).toBe(before + 1); // the member's second read: from the cache

    // The admin may see the booking too: the same query, the same entity, but not the member's entry.
    const asAdmin = await gql(a, BOOKING, { id: bookings.first }, admin.accessToken);
    expect(asAdmin.data!.booking).toMatchObject({ id: bookings.first, payment: null });
    expect(entityFetches('payment', 'Booking')).toBe(before + 2);
    await gql(b, BOOKING, { id: bookings.first }, admin.accessToken);
    expect(entityFetches('payment', 'Booking')).toBe(before + 2); // the admin's own entry, shared by the replicas

    // Another member: refused the booking itself, and no cached answer about it.
    const other = await gql(a, BOOKING, { id: bookings.first }, member2.accessToken);
    expect(other.data?.booking ?? null).toBeNull();

    // Two members, the same query: each sees their own bookings, however often it is asked.
    const MINE = `{ me { bookings(first: 10) { edges { node { id payment { status } } } } } }`;
    for (let round = 0; round < 2; round++) {
      for (const [who, expected] of [
        [member, [bookings.first, bookings.second, bookings.third]],
        [member2, [bookings.other]],
      ] as const) {
        const seen = await gql(round ? b : a, MINE, {}, who.accessToken);
        expect(seen.errors).toBeUndefined();
        expect(seen.data!.me.bookings.edges.map((e: { node: { id: string } }) => e.node.id).sort()).toEqual([...expected].sort());
      }
    }
  });

  it('shows a change on the next read through another replica once its event is relayed', async () => {
    const NAME = `query($id: ID!) { booking(id: $id) { workspace { id name } } }`;
    const read = async (gateway: Gateway) => (await gql(gateway, NAME, { id: bookings.second }, member.accessToken)).data!.booking.workspace.name as string;
    expect(await read(b)).toBe('Dock desk 2');
    const before = entityFetches('catalog', 'Workspace');
    expect(await read(b)).toBe('Dock desk 2');
    expect(entityFetches('catalog', 'Workspace')).toBe(before); // cached at B

    const renamed = await gql(a, `mutation($id: ID!) { updateWorkspace(id: $id, input: { name: "Harbour desk" }) { name } }`, { id: workspaces[1] }, manager.accessToken);
    expect(renamed.data!.updateWorkspace.name).toBe('Harbour desk');
    await relayed(sg, 'workspace.updated', (data) => data.workspaceId === workspaces[1] && data.name === 'Harbour desk');
    await settled();

    expect(await read(b)).toBe('Harbour desk');
    expect(await read(a)).toBe('Harbour desk');
    expect(await counterSum(b, 'atrium_cache_invalidations_total', { type: 'Workspace', tier: 'memory' })).toBeGreaterThan(0);
  });
});

describe('the entity cache and mutations', () => {
  it('never answers the entity fetches of a mutation from the cache', async () => {
    const read = () => gql(a, `query($id: ID!) { booking(id: $id) { workspace { name } } }`, { id: bookings.third }, member.accessToken);
    await read();
    const cached = entityFetches('catalog', 'Workspace');
    expect((await read()).data!.booking.workspace.name).toBe('Dock desk 3');
    expect(entityFetches('catalog', 'Workspace')).toBe(cached);
    const cancelled = await gql(a, `mutation($id: ID!) { cancelBooking(id: $id) { status workspace { name } } }`, { id: bookings.third }, member.accessToken);
    expect(cancelled.data!.cancelBooking).toEqual({ status: 'CANCELLED', workspace: { name: 'Dock desk 3' } });
    expect(entityFetches('catalog', 'Workspace')).toBe(cached + 1);
  });
});

describe('the entity cache with Redis down', () => {
  let privateRedis: PrivateRedis;
  let c: Gateway;

  beforeAll(async () => {
    privateRedis = await startPrivateRedis();
    c = await sg.anotherGateway({ CACHE: 'redis', CACHE_PREFIX: PREFIX, REDIS_URL: privateRedis.url, EVENTS_STREAM: 'test:cache:no-events', ROOT_CACHE: 'off' });
  });
  afterAll(async () => {
    await c?.close();
    await privateRedis?.stop();
  });

  it('keeps serving, uncached, once Redis is gone, and caches again once it is back', async () => {
    const NAME = `query($id: ID!) { booking(id: $id) { workspace { name } } }`;
    const read = async () => {
      const res = await gql(c, NAME, { id: bookings.first }, member.accessToken);
      expect(res.errors).toBeUndefined();
      return res.data!.booking.workspace.name as string;
    };
    expect(await read()).toBe('Dock desk 1');
    const cached = entityFetches('catalog', 'Workspace');
    expect(await read()).toBe('Dock desk 1');
    expect(entityFetches('catalog', 'Workspace')).toBe(cached);

    await privateRedis.kill();
    // Once the gateway has noticed, every read goes to the subgraph, and is answered.
    await waitFor(async () => {
      const fetched = entityFetches('catalog', 'Workspace');
      return (await read()) === 'Dock desk 1' && entityFetches('catalog', 'Workspace') === fetched + 1;
    }, { timeoutMs: 60_000, what: 'an uncached read' });
    const fetched = entityFetches('catalog', 'Workspace');
    expect(await read()).toBe('Dock desk 1');
    expect(entityFetches('catalog', 'Workspace')).toBe(fetched + 1);
    expect(await counterSum(c, 'atrium_cache_failures_total', { operation: 'read' })).toBeGreaterThan(0);

    // Back, empty (a restart without persistence): the next reads fill it and are served from it.
    await privateRedis.restart({ keepData: false });
    await waitFor(async () => {
      await read();
      const filled = entityFetches('catalog', 'Workspace');
      return (await read()) === 'Dock desk 1' && entityFetches('catalog', 'Workspace') === filled;
    }, { timeoutMs: 60_000, what: 'a cached read again' });
  });
});
