import { graphql, startPrivateRedis, testEnv, waitFor, type PrivateRedis } from '@atrium/kit/testing';
import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { castOfUsers, startSupergraph, type RunningSupergraph, type Session } from '../../../test/support/supergraph';
import type { Gateway } from '../gateway';
import { counterSum, createWorkspace, groupCaughtUp, relayed } from '../testing/cache-e2e';

// The response cache on the whole platform: two gateway replicas (A and B) with CACHE=redis,
// a third (M) with CACHE=memory and a fourth (O) with RESPONSE_CACHE=off, on one supergraph,
// sharing Redis (keys of this suite's own prefix) and the suite's event stream, as one
// consumer group; the harness's first gateway runs uncached and serves the writes of the setup.
let sg: RunningSupergraph;
let a: Gateway;
let b: Gateway;
let m: Gateway;
let o: Gateway;
let member: Session;
let manager: Session;
let redis: IORedis;
let locationId: string;
const workspaces: string[] = [];
const PREFIX = `test:response-cache:${randomUUID()}`;

const endpoint = (gateway: Gateway) => `${gateway.url}/graphql`;
const gql = (gateway: Gateway | string, query: string, variables: Record<string, unknown> = {}, token?: string) =>
  graphql(typeof gateway === 'string' ? gateway : endpoint(gateway), query, variables, { token });

/** Query (a) of the benchmark: the anonymous workspace search. */
const SEARCH = `query Search($first: Int!) { workspaces(first: $first) { edges { node { id name capacity } } } }`;
const search = (gateway: Gateway, token?: string) => gql(gateway, SEARCH, { first: 20 }, token);
const names = (res: Awaited<ReturnType<typeof search>>) => (res.data!.workspaces.edges as { node: { name: string } }[]).map((e) => e.node.name).sort();


/** Root-field fetches of the workspace search catalog received so far (the response cache answers before any). */
const searches = () => sg.received.catalog.filter((q) => /\bworkspaces\b/.test(q) && !q.includes('_entities')).length;


/**
 * Every event on the stream so far has been handled by the gateways' group (nothing left to
 * deliver, nothing pending), and every replica heard every response invalidation published.
 */
async function settled(): Promise<void> {
  await waitFor(
    async () => {
      if (!(await groupCaughtUp(redis, sg.events.env.EVENTS_STREAM))) return false;
      let marked = 0;
      // O handles its share of the events (it marks the tags for the others) but keeps no responses of its own.
      for (const gateway of [a, b, m, o]) marked += await counterSum(gateway, 'atrium_response_cache_invalidations_total', { tier: 'redis' });
      for (const gateway of [a, b, m]) if ((await counterSum(gateway, 'atrium_response_cache_invalidations_total', { tier: 'memory' })) !== marked) return false;
      return true;
    },
    { timeoutMs: 60_000, what: 'the gateways to have handled every event' },
  );
}


beforeAll(async () => {
  sg = await startSupergraph();
  redis = new IORedis(testEnv.redisUrl);
  ({ member, manager } = await castOfUsers(sg.url));
  // ROOT_CACHE off: this suite counts the root fetches the response cache spares (fetch/root-cache.e2e.test.ts tests that cache).
  const env = { CACHE: 'redis', CACHE_PREFIX: PREFIX, EVENTS_STREAM: sg.events.env.EVENTS_STREAM, ROOT_CACHE: 'off' };
  a = await sg.anotherGateway(env);
  b = await sg.anotherGateway(env);
  m = await sg.anotherGateway({ ...env, CACHE: 'memory' });
  o = await sg.anotherGateway({ ...env, RESPONSE_CACHE: 'off' });
  const location = await gql(sg.url, `mutation { createLocation(input: { name: "Atrium Quay", city: "Hamburg", address: "Kai 2", timezone: "Europe/Berlin" }) { id } }`, {}, manager.accessToken);
  locationId = location.data!.createLocation.id;
  for (let i = 1; i <= 3; i++) workspaces.push(await createWorkspace(sg, manager, locationId, `Quay desk ${i}`));
  await relayed(sg, 'location.created', (data) => data.locationId === locationId);
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

describe('the response cache (CACHE=redis) on two gateway replicas', () => {
  it('answers a second identical anonymous search from the cache, without fetching catalog, with the same Cache-Control', async () => {
    const before = searches();
    const first = await search(a);
    expect(first.errors).toBeUndefined();
    expect(names(first)).toEqual(['Quay desk 1', 'Quay desk 2', 'Quay desk 3']);
    expect(first.headers.get('x-atrium-cache')).toBe('miss');
    expect(searches()).toBe(before + 1);

    const hits = await counterSum(a, 'atrium_response_cache_hits_total');
    const second = await search(a);
    expect(second.data).toEqual(first.data);
    expect(second.headers.get('x-atrium-cache')).toBe('hit');
    expect(second.headers.get('cache-control')).toBe(first.headers.get('cache-control'));
    expect(second.headers.get('cache-control')).toBe('max-age=60, public');
    expect(searches()).toBe(before + 1);
    expect(await counterSum(a, 'atrium_response_cache_hits_total', { tier: 'memory' })).toBe(hits + 1);

    // The other replica, with an empty memory tier, finds it in Redis.
    const fromB = await search(b);
    expect(fromB.data).toEqual(first.data);
    expect(fromB.headers.get('x-atrium-cache')).toBe('hit');
    expect(await counterSum(b, 'atrium_response_cache_hits_total', { tier: 'redis' })).toBe(1);
    expect(searches()).toBe(before + 1);
  });

  it('never serves a signed-in caller from the cache, nor an anonymous one what a signed-in caller saw', async () => {
    const archived = await gql(sg.url, `mutation($id: ID!) { archiveWorkspace(id: $id) { active } }`, { id: workspaces[2] }, manager.accessToken);
    expect(archived.data!.archiveWorkspace.active).toBe(false);
    await relayed(sg, 'workspace.archived', (data) => data.workspaceId === workspaces[2]);
    await settled();

    // A signed-in member: executed, never looked up nor kept.
    const before = searches();
    const asMember = await search(a, member.accessToken);
    expect(asMember.headers.get('x-atrium-cache')).toBeNull();
    expect(names(asMember)).toEqual(['Quay desk 1', 'Quay desk 2']);
    await search(a, member.accessToken);
    expect(searches()).toBe(before + 2);

    // Where the rules differ: a manager may list archived workspaces, an anonymous caller may not — whichever asks first.
    const ALL = `query($f: WorkspaceFilter) { workspaces(first: 20, filter: $f) { edges { node { name } } } }`;
    for (let round = 0; round < 2; round++) {
      const asManager = await gql(a, ALL, { f: { includeArchived: true } }, manager.accessToken);
      expect(asManager.errors).toBeUndefined();
      expect(asManager.headers.get('x-atrium-cache')).toBeNull();
      expect(asManager.data!.workspaces.edges).toHaveLength(3);
      const anonymous = await gql(round ? b : a, ALL, { f: { includeArchived: true } });
      expect(anonymous.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(anonymous.headers.get('x-atrium-cache')).toBe('miss'); // looked up, and an answer with errors never kept
    }
  });

  it('shows a change on the next read through another replica once its event is handled', async () => {
    await search(b);
    const cached = await search(b);
    expect(cached.headers.get('x-atrium-cache')).toBe('hit');
    expect(names(cached)).toEqual(['Quay desk 1', 'Quay desk 2']);

    const heard = await counterSum(b, 'atrium_response_cache_invalidations_total', { type: 'Workspace', tier: 'memory' });
    const renamed = await gql(a, `mutation($id: ID!) { updateWorkspace(id: $id, input: { name: "Harbour desk" }) { name } }`, { id: workspaces[0] }, manager.accessToken);
    expect(renamed.data!.updateWorkspace.name).toBe('Harbour desk');
    await relayed(sg, 'workspace.updated', (data) => data.workspaceId === workspaces[0]);
    await waitFor(async () => (await counterSum(b, 'atrium_response_cache_invalidations_total', { type: 'Workspace', tier: 'memory' })) > heard, {
      timeoutMs: 60_000,
      what: 'B to hear the invalidation',
    });

    const next = await search(b);
    expect(names(next)).toEqual(['Harbour desk', 'Quay desk 2']);
    expect(next.headers.get('x-atrium-cache')).toBe('miss');
    await settled();
    expect(names(await search(a))).toEqual(['Harbour desk', 'Quay desk 2']);
  });

  it('shows a workspace created in a list it was not in', async () => {
    await search(a);
    expect((await search(a)).headers.get('x-atrium-cache')).toBe('hit');
    await createWorkspace(sg, manager, locationId, 'Quay desk 4');
    await settled();
    const [atA, atB] = [await search(a), await search(b)];
    expect(names(atA)).toEqual(['Harbour desk', 'Quay desk 2', 'Quay desk 4']);
    expect(atB.data).toEqual(atA.data);
  });

  it('answers a mutation, and an operation that is not PUBLIC, without the cache', async () => {
    const ME = `{ me { id name } }`;
    for (let i = 0; i < 2; i++) expect((await gql(a, ME, {}, member.accessToken)).headers.get('x-atrium-cache')).toBeNull();
    const NAMED = `query($id: ID!) { workspace(id: $id) { name createdBy { name } } }`; // User has no hint: uncacheable
    for (let i = 0; i < 2; i++) expect((await gql(a, NAMED, { id: workspaces[1] })).headers.get('x-atrium-cache')).toBeNull();
    const renamed = await gql(a, `mutation($id: ID!) { updateWorkspace(id: $id, input: { name: "Quay desk 2" }) { name } }`, { id: workspaces[1] }, manager.accessToken);
    expect(renamed.headers.get('x-atrium-cache')).toBeNull();
    await relayed(sg, 'workspace.updated', (data) => data.workspaceId === workspaces[1] && data.name === 'Quay desk 2');
    await settled();
  });
});

describe('RESPONSE_CACHE=off', () => {
  it('executes every search, with the entity cache alone', async () => {
    const before = searches();
    for (let i = 0; i < 2; i++) {
      const res = await search(o);
      expect(res.errors).toBeUndefined();
      expect(res.headers.get('x-atrium-cache')).toBeNull();
      expect(res.headers.get('cache-control')).toBe('max-age=60, public');
    }
    expect(searches()).toBe(before + 2);
    expect(await counterSum(o, 'atrium_response_cache_misses_total')).toBe(0);
  });
});

describe('the response cache with CACHE=memory', () => {
  it('serves a second read from this process, and forgets it when the event is heard', async () => {
    // No location: any workspace's event names its location too, which would invalidate this response.
    const WORKSPACE = `query($id: ID!) { workspace(id: $id) { id name capacity } }`;
    const read = () => gql(m, WORKSPACE, { id: workspaces[1] });
    expect((await read()).data!.workspace.name).toBe('Quay desk 2');
    const lookups = () => sg.received.catalog.filter((q) => q.includes('workspace(')).length;
    const before = lookups();
    const hit = await read();
    expect(hit.headers.get('x-atrium-cache')).toBe('hit');
    expect(hit.data!.workspace.name).toBe('Quay desk 2');
    expect(lookups()).toBe(before);
    expect(await counterSum(m, 'atrium_response_cache_hits_total', { tier: 'memory' })).toBe(1);

    // Another workspace changes: this response holds only its own, and stays.
    await gql(sg.url, `mutation($id: ID!) { updateWorkspace(id: $id, input: { capacity: 3 }) { id } }`, { id: workspaces[0] }, manager.accessToken);
    await relayed(sg, 'workspace.updated', (data) => data.workspaceId === workspaces[0] && data.capacity === 3);
    await settled();
    expect((await read()).headers.get('x-atrium-cache')).toBe('hit');

    const heard = await counterSum(m, 'atrium_response_cache_invalidations_total', { type: 'Workspace', tier: 'memory' });
    await gql(sg.url, `mutation($id: ID!) { updateWorkspace(id: $id, input: { name: "Quay room 2" }) { id } }`, { id: workspaces[1] }, manager.accessToken);
    await relayed(sg, 'workspace.updated', (data) => data.workspaceId === workspaces[1] && data.name === 'Quay room 2');
    await waitFor(async () => (await counterSum(m, 'atrium_response_cache_invalidations_total', { type: 'Workspace', tier: 'memory' })) > heard, {
      timeoutMs: 60_000,
      what: 'the memory gateway to hear the invalidation',
    });
    const fresh = await read();
    expect(fresh.data!.workspace.name).toBe('Quay room 2');
    expect(fresh.headers.get('x-atrium-cache')).toBe('miss');
    await settled();
  });
});

describe('the response cache with Redis down', () => {
  let privateRedis: PrivateRedis;
  let c: Gateway;

  beforeAll(async () => {
    privateRedis = await startPrivateRedis();
    c = await sg.anotherGateway({ CACHE: 'redis', CACHE_PREFIX: PREFIX, REDIS_URL: privateRedis.url, EVENTS_STREAM: `test:response-cache:no-events:${randomUUID()}`, ROOT_CACHE: 'off' });
  });
  afterAll(async () => {
    await c?.close();
    await privateRedis?.stop();
  });

  it('keeps serving, uncached, once Redis is gone, and caches again once it is back', async () => {
    const read = async () => {
      const res = await search(c);
      expect(res.errors).toBeUndefined();
      expect(names(res)).toEqual(['Harbour desk', 'Quay desk 4', 'Quay room 2']);
      return res.headers.get('x-atrium-cache');
    };
    await read();
    expect(await read()).toBe('hit');

    await privateRedis.kill();
    // Once the gateway has noticed (its memory tier is off while it hears no invalidations), every read is executed, and answered.
    await waitFor(async () => {
      const fetched = searches();
      return (await read()) === 'miss' && searches() === fetched + 1;
    }, { timeoutMs: 60_000, what: 'an uncached read' });
    const fetched = searches();
    expect(await read()).toBe('miss');
    expect(searches()).toBe(fetched + 1);
    expect(await counterSum(c, 'atrium_response_cache_failures_total', { operation: 'read' })).toBeGreaterThan(0);

    // Back, empty (a restart without persistence): the next reads fill it and are served from it.
    await privateRedis.restart({ keepData: false });
    await waitFor(async () => {
      await read();
      return (await read()) === 'hit';
    }, { timeoutMs: 60_000, what: 'a cached read again' });
  });
});
