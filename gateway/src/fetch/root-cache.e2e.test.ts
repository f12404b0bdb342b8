import { graphql, startPrivateRedis, testEnv, waitFor, type PrivateRedis } from '@atrium/kit/testing';
import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { castOfUsers, register, startSupergraph, type RunningSupergraph, type Session } from '../../../test/support/supergraph';
import type { Gateway } from '../gateway';
import { book, counterSum, createWorkspace, groupCaughtUp, relayed } from '../testing/cache-e2e';

// The root cache on the whole platform: two gateway replicas (A and B) with CACHE=redis on one
// supergraph, sharing Redis (keys of this suite's own prefix) and the suite's event stream, as
// one consumer group; the harness's first gateway runs uncached and serves the writes of the
// setup. Every read here is a signed-in caller's, which the response cache never answers.
let sg: RunningSupergraph;
let a: Gateway;
let b: Gateway;
let member: Session;
let member2: Session;
let manager: Session;
let redis: IORedis;
let locationId: string;
const workspaces: string[] = [];
const bookings: Record<string, string> = {};
const PREFIX = `test:root-cache:${randomUUID()}`;

const endpoint = (gateway: Gateway) => `${gateway.url}/graphql`;
const gql = (gateway: Gateway | string, query: string, variables: Record<string, unknown>, token?: string) =>
  graphql(typeof gateway === 'string' ? gateway : endpoint(gateway), query, variables, { token });

/** A member's workspace search: one root fetch to catalog. */
const SEARCH = `query Search($first: Int!) { workspaces(first: $first) { edges { node { id name capacity } } } }`;
const search = (gateway: Gateway, who: Session) => gql(gateway, SEARCH, { first: 20 }, who.accessToken);
const names = (res: Awaited<ReturnType<typeof search>>) => (res.data!.workspaces.edges as { node: { name: string } }[]).map((e) => e.node.name).sort();

/** A caller's own list (Booking is PRIVATE): one root fetch to booking. */
const RECENT = `{ recentBookings(first: 10) { id status } }`;
const recent = async (gateway: Gateway, who: Session) => {
  const res = await gql(gateway, RECENT, {}, who.accessToken);
  expect(res.errors).toBeUndefined();
  return Object.fromEntries((res.data!.recentBookings as { id: string; status: string }[]).map((b) => [b.id, b.status]));
};

/** Root fetches of the workspace search catalog received so far (an answer from the root cache sends none). */
const searches = () => sg.received.catalog.filter((q) => /\bworkspaces\b/.test(q) && !q.includes('_entities')).length;
/** Root fetches of `recentBookings` booking received so far. */
const recentFetches = () => sg.received.booking.filter((q) => q.includes('recentBookings')).length;



/**
 * Every event on the stream so far has been handled by the gateways' group (nothing left to
 * deliver, nothing pending), and both replicas' root caches heard every invalidation whose
 * tags were marked.
 */
async function settled(): Promise<void> {
  await waitFor(
    async () => {
      if (!(await groupCaughtUp(redis, sg.events.env.EVENTS_STREAM))) return false;
      // The tag marks are shared with the response cache, and counted by its metric.
      const marked = (await counterSum(a, 'atrium_response_cache_invalidations_total', { tier: 'redis' })) + (await counterSum(b, 'atrium_response_cache_invalidations_total', { tier: 'redis' }));
      for (const gateway of [a, b]) if ((await counterSum(gateway, 'atrium_root_cache_invalidations_total', { tier: 'memory' })) !== marked) return false;
      return true;
    },
    { timeoutMs: 60_000, what: 'the gateways to have handled every event' },
  );
}



beforeAll(async () => {
  sg = await startSupergraph();
  redis = new IORedis(testEnv.redisUrl);
  // Both replicas before any write: each hears every invalidation the other publishes (settled() counts them).
  const env = { CACHE: 'redis', CACHE_PREFIX: PREFIX, EVENTS_STREAM: sg.events.env.EVENTS_STREAM };
  a = await sg.anotherGateway(env);
  b = await sg.anotherGateway(env);
  ({ member, manager } = await castOfUsers(sg.url));
  member2 = await register(sg.url, 'member2@atrium.test', 'Noa Member');
  const location = await gql(sg.url, `mutation { createLocation(input: { name: "Atrium Wharf", city: "Hamburg", address: "Kai 3", timezone: "Europe/Berlin" }) { id } }`, {}, manager.accessToken);
  locationId = location.data!.createLocation.id;
  for (let i = 1; i <= 3; i++) workspaces.push(await createWorkspace(sg, manager, locationId, `Wharf desk ${i}`));
  await relayed(sg, 'location.created', (data) => data.locationId === locationId);
  bookings.mine = await book(sg, member, workspaces[0], 2);
  bookings.theirs = await book(sg, member2, workspaces[1], 3);
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

describe('the root cache (CACHE=redis) on two gateway replicas', () => {
  it('answers a member’s second identical search from the cache, without fetching catalog, and the other replica from Redis', async () => {
    const before = searches();
    const first = await search(a, member);
    expect(first.errors).toBeUndefined();
    expect(names(first)).toEqual(['Wharf desk 1', 'Wharf desk 2', 'Wharf desk 3']);
    expect(searches()).toBe(before + 1);
    expect(await counterSum(a, 'atrium_root_cache_misses_total', { subgraph: 'catalog' })).toBe(1);

    const second = await search(a, member);
    expect(second.data).toEqual(first.data);
    expect(searches()).toBe(before + 1);
    expect(await counterSum(a, 'atrium_root_cache_hits_total', { subgraph: 'catalog', tier: 'memory' })).toBe(1);
    // The response cache answers anonymous callers only: a signed-in search never reaches it.
    expect(second.headers.get('x-atrium-cache')).toBeNull();

    // The other replica, with an empty memory tier, finds the member's answer in Redis.
    const fromB = await search(b, member);
    expect(fromB.data).toEqual(first.data);
    expect(searches()).toBe(before + 1);
    expect(await counterSum(b, 'atrium_root_cache_hits_total', { subgraph: 'catalog', tier: 'redis' })).toBe(1);
  });

  it('never gives one caller another’s cached root answer', async () => {
    // The same search by another member: fetched for them, not served from the first member's entry.
    const before = searches();
    await search(a, member);
    expect(searches()).toBe(before);
    const theirs = await search(a, member2);
    expect(names(theirs)).toEqual(['Wharf desk 1', 'Wharf desk 2', 'Wharf desk 3']);
    expect(searches()).toBe(before + 1);

    // Each caller's own list, however often and wherever it is asked: fetched once per caller.
    const fetched = recentFetches();
    for (let round = 0; round < 2; round++) {
      for (const gateway of [a, b]) {
        expect(Object.keys(await recent(gateway, member))).toEqual([bookings.mine]);
        expect(Object.keys(await recent(gateway, member2))).toEqual([bookings.theirs]);
      }
    }
    expect(recentFetches()).toBe(fetched + 2);

    // Row rules of the subgraph: a manager may list archived workspaces, a member may not — whoever asks first.
    const ALL = `query($f: WorkspaceFilter) { workspaces(first: 20, filter: $f) { edges { node { name } } } }`;
    for (let round = 0; round < 2; round++) {
      const asManager = await gql(round ? b : a, ALL, { f: { includeArchived: true } }, manager.accessToken);
      expect(asManager.errors).toBeUndefined();
      expect(asManager.data!.workspaces.edges).toHaveLength(3);
      const asMember = await gql(round ? b : a, ALL, { f: { includeArchived: true } }, member.accessToken);
      expect(asMember.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('shows a rename on the next read through the other replica once its invalidation is heard', async () => {
    await search(b, member);
    const before = searches();
    expect(names(await search(b, member))).toEqual(['Wharf desk 1', 'Wharf desk 2', 'Wharf desk 3']);
    expect(searches()).toBe(before); // cached at B

    const heard = await counterSum(b, 'atrium_root_cache_invalidations_total', { type: 'Workspace', tier: 'memory' });
    const renamed = await gql(a, `mutation($id: ID!) { updateWorkspace(id: $id, input: { name: "Harbour desk" }) { name } }`, { id: workspaces[0] }, manager.accessToken);
    expect(renamed.data!.updateWorkspace.name).toBe('Harbour desk');
    await relayed(sg, 'workspace.updated', (data) => data.workspaceId === workspaces[0]);
    await waitFor(async () => (await counterSum(b, 'atrium_root_cache_invalidations_total', { type: 'Workspace', tier: 'memory' })) > heard, {
      timeoutMs: 60_000,
      what: 'B to hear the invalidation',
    });

    expect(names(await search(b, member))).toEqual(['Harbour desk', 'Wharf desk 2', 'Wharf desk 3']);
    expect(searches()).toBe(before + 1);
    await settled();
    expect(names(await search(a, member))).toEqual(['Harbour desk', 'Wharf desk 2', 'Wharf desk 3']);
  });

  it('shows a change to a caller’s own booking in their cached list, through the other replica', async () => {
    const status = (await recent(a, member))[bookings.mine];
    expect(status).not.toBe('CANCELLED');
    const fetched = recentFetches();
    expect(await recent(b, member)).toEqual({ [bookings.mine]: status });
    expect(recentFetches()).toBe(fetched); // cached

    const cancelled = await gql(a, `mutation($id: ID!) { cancelBooking(id: $id) { status } }`, { id: bookings.mine }, member.accessToken);
    expect(cancelled.data!.cancelBooking.status).toBe('CANCELLED');
    await relayed(sg, 'booking.cancelled', (data) => data.bookingId === bookings.mine);
    await settled();
    expect(await recent(b, member)).toEqual({ [bookings.mine]: 'CANCELLED' });
    expect(await recent(a, member)).toEqual({ [bookings.mine]: 'CANCELLED' });
  });

  it('shows a workspace created in a cached list it was not in', async () => {
    await search(a, member);
    const before = searches();
    await search(a, member);
    await search(b, member);
    expect(searches()).toBe(before); // cached on both

    await createWorkspace(sg, manager, locationId, 'Wharf desk 4');
    await settled();
    const [atA, atB] = [await search(a, member), await search(b, member)];
    expect(names(atA)).toEqual(['Harbour desk', 'Wharf desk 2', 'Wharf desk 3', 'Wharf desk 4']);
    expect(atB.data).toEqual(atA.data);
  });

  it('answers a query of root and entity fetches from both fetch-stage caches: no subgraph fetched on the second read', async () => {
    const BOOKING = `query($id: ID!) { booking(id: $id) { id status workspace { name } } }`;
    const read = async () => {
      const res = await gql(a, BOOKING, { id: bookings.theirs }, member2.accessToken);
      expect(res.errors).toBeUndefined();
      expect(res.data!.booking).toMatchObject({ id: bookings.theirs, workspace: { name: 'Wharf desk 2' } });
    };
    const rootFetches = () => sg.received.booking.filter((q) => q.includes('booking(')).length;
    const entityFetches = () => sg.received.catalog.filter((q) => q.includes('_entities') && q.includes('on Workspace')).length;
    await read();
    const [roots, entities] = [rootFetches(), entityFetches()];
    const [rootHits, entityHits] = [await counterSum(a, 'atrium_root_cache_hits_total', { subgraph: 'booking' }), await counterSum(a, 'atrium_cache_hits_total', { type: 'Workspace' })];
    await read();
    expect([rootFetches(), entityFetches()]).toEqual([roots, entities]);
    expect(await counterSum(a, 'atrium_root_cache_hits_total', { subgraph: 'booking' })).toBe(rootHits + 1);
    expect(await counterSum(a, 'atrium_cache_hits_total', { type: 'Workspace' })).toBe(entityHits + 1);

    // The booking's owner only: another member is refused it, and gets no cached answer about it.
    const other = await gql(a, BOOKING, { id: bookings.theirs }, member.accessToken);
    expect(other.data?.booking ?? null).toBeNull();
    expect(rootFetches()).toBe(roots + 1);
  });

  it('leaves an anonymous search to the response cache, and keeps no second copy of its root answer', async () => {
    const misses = await counterSum(a, 'atrium_root_cache_misses_total');
    const first = await gql(a, SEARCH, { first: 20 });
    expect(first.headers.get('x-atrium-cache')).toBe('miss');
    const before = searches();
    const second = await gql(a, SEARCH, { first: 20 });
    expect(second.headers.get('x-atrium-cache')).toBe('hit');
    expect(second.data).toEqual(first.data);
    expect(searches()).toBe(before);
    expect(await counterSum(a, 'atrium_root_cache_misses_total')).toBe(misses);
  });

  it('never answers a mutation’s fetches from the cache, nor keeps a root field that is null', async () => {
    const WORKSPACE = `query($id: ID!) { workspace(id: $id) { id name } }`;
    const lookups = () => sg.received.catalog.filter((q) => q.includes('workspace(')).length;
    const before = lookups();
    for (let i = 0; i < 2; i++) expect((await gql(a, WORKSPACE, { id: randomUUID() }, member.accessToken)).data!.workspace).toBeNull();
    expect(lookups()).toBe(before + 2);

    const misses = await counterSum(a, 'atrium_root_cache_misses_total');
    const hits = await counterSum(a, 'atrium_root_cache_hits_total');
    for (let i = 0; i < 2; i++) {
      const renamed = await gql(a, `mutation($id: ID!) { updateWorkspace(id: $id, input: { capacity: 3 }) { capacity } }`, { id: workspaces[1] }, manager.accessToken);
      expect(renamed.data!.updateWorkspace.capacity).toBe(3);
    }
    expect(await counterSum(a, 'atrium_root_cache_misses_total')).toBe(misses);
    expect(await counterSum(a, 'atrium_root_cache_hits_total')).toBe(hits);
    await relayed(sg, 'workspace.updated', (data) => data.workspaceId === workspaces[1] && data.capacity === 3);
    await settled();
  });
});

describe('the root cache with Redis down', () => {
  let privateRedis: PrivateRedis;
  let c: Gateway;

  beforeAll(async () => {
    privateRedis = await startPrivateRedis();
    c = await sg.anotherGateway({ CACHE: 'redis', CACHE_PREFIX: PREFIX, REDIS_URL: privateRedis.url, EVENTS_STREAM: `test:root-cache:no-events:${randomUUID()}` });
  });
  afterAll(async () => {
    await c?.close();
    await privateRedis?.stop();
  });

  it('keeps serving a member, uncached, once Redis is gone, and caches again once it is back', async () => {
    const read = async () => {
      const res = await search(c, member);
      expect(res.errors).toBeUndefined();
      expect(names(res)).toEqual(['Harbour desk', 'Wharf desk 2', 'Wharf desk 3', 'Wharf desk 4']);
    };
    await read();
    const cached = searches();
    await read();
    expect(searches()).toBe(cached);

    await privateRedis.kill();
    // Once the gateway has noticed (its memory tier is off while it hears no invalidations), every read is fetched, and answered.
    await waitFor(async () => {
      const fetched = searches();
      await read();
      return searches() === fetched + 1;
    }, { timeoutMs: 60_000, what: 'an uncached read' });
    const fetched = searches();
    await read();
    expect(searches()).toBe(fetched + 1);
    expect(await counterSum(c, 'atrium_root_cache_failures_total', { operation: 'read' })).toBeGreaterThan(0);

    // Back, empty (a restart without persistence): the next reads fill it and are served from it.
    await privateRedis.restart({ keepData: false });
    await waitFor(async () => {
      await read();
      const filled = searches();
      await read();
      return searches() === filled;
    }, { timeoutMs: 60_000, what: 'a cached read again' });
  });
});
