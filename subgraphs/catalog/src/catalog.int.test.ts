import { loadConfig } from '@atrium/kit';
import { countStatements } from '@atrium/kit/subgraph';
import { createTestDatabase, createTestEvents, createTestIssuer, errorCodes, graphql, testLogger, waitFor, type GraphQLResponse, type TestDatabase, type TestEvents, type TestIssuer } from '@atrium/kit/testing';
import { catalogEnv } from './config';
import { createServer } from './server';

let db: TestDatabase;
let events: TestEvents;
let issuer: TestIssuer;
let server: Awaited<ReturnType<typeof createServer>>;
let url: string;
let manager: string;
let member: string;
const managerId = '6f0c1a52-3f67-4a55-9a1e-0d6b8d1f2a01';

const CREATE_LOCATION = `mutation($input: CreateLocationInput!) { createLocation(input: $input) { id name city timezone } }`;
const CREATE_WORKSPACE = `mutation($input: CreateWorkspaceInput!) {
  createWorkspace(input: $input) { id name kind capacity amenities active hourlyRate { amount currency } location { city } createdBy { id } }
}`;
const SEARCH = `query($filter: WorkspaceFilter, $first: Int, $after: String) {
  workspaces(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name } }
  }
}`;

const names = (res: GraphQLResponse) =>
  (res.data?.workspaces.edges as { node: { name: string } }[]).map((e) => e.node.name);

beforeAll(async () => {
  db = await createTestDatabase('catalog');
  events = createTestEvents('catalog');
  issuer = await createTestIssuer();
  const config = loadConfig(catalogEnv, { DATABASE_URL: db.url, PORT: '0', ...events.env });
  server = await createServer(config, { verifier: issuer.verifier, log: testLogger() });
  url = `${server.url}/graphql`;
  manager = await issuer.token({ userId: managerId, roles: ['MANAGER'] });
  member = await issuer.token({ roles: ['MEMBER'] });

  const paris = await graphql(url, CREATE_LOCATION, { input: { name: 'Atrium Opéra', city: 'Paris', address: '1 rue Auber', timezone: 'Europe/Paris' } }, { token: manager });
  const lyon = await graphql(url, CREATE_LOCATION, { input: { name: 'Atrium Part-Dieu', city: 'Lyon', address: '5 bd Vivier', timezone: 'Europe/Paris' } }, { token: manager });
  const spaces = [
    { loc: paris, name: 'Desk A1', kind: 'DESK', capacity: 1, amount: 1500, amenities: ['WiFi', 'monitor'] },
    { loc: paris, name: 'Desk A2', kind: 'DESK', capacity: 1, amount: 1200, amenities: ['wifi'] },
    { loc: paris, name: 'Board room', kind: 'MEETING_ROOM', capacity: 12, amount: 9000, amenities: ['wifi', 'projector'], description: 'Quiet room with a view' },
    { loc: lyon, name: 'Huddle', kind: 'MEETING_ROOM', capacity: 4, amount: 4000, amenities: ['whiteboard'] },
    { loc: lyon, name: 'Office 3', kind: 'PRIVATE_OFFICE', capacity: 6, amount: 7000, amenities: ['wifi', 'kitchen'] },
    { loc: lyon, name: '100% focus pod', kind: 'DESK', capacity: 1, amount: 800, amenities: [] },
  ];
  for (const s of spaces) {
    const res = await graphql(
      url,
      CREATE_WORKSPACE,
      {
        input: {
          locationId: s.loc.data!.createLocation.id,
          name: s.name,
          kind: s.kind,
          capacity: s.capacity,
          hourlyRate: { amount: s.amount, currency: 'EUR' },
          amenities: s.amenities,
          description: s.description,
        },
      },
      { token: manager },
    );
    expect(res.errors).toBeUndefined();
  }
});

afterAll(async () => {
  await server?.close();
  await events?.close();
  await db?.drop();
});

describe('catalog subgraph', () => {
  it('creates a workspace with normalized amenities, its location and its creator', async () => {
    const res = await graphql(url, SEARCH, { filter: { text: 'Desk A1' } });
    expect(names(res)).toEqual(['Desk A1']);
    const created = await graphql(url, `{ workspaces(filter: { text: "Desk A1" }) { edges { node { amenities hourlyRate { amount currency } location { city } createdBy { id } } } } }`);
    expect(created.data!.workspaces.edges[0].node).toEqual({
      amenities: ['monitor', 'wifi'],
      hourlyRate: { amount: 1500, currency: 'EUR' },
      location: { city: 'Paris' },
      createdBy: { id: managerId },
    });
  });

  it('filters by city, kind, capacity, amenities, text and price', async () => {
    expect(names(await graphql(url, SEARCH, { filter: { city: 'paris' } }))).toEqual(['Board room', 'Desk A1', 'Desk A2']);
    expect(names(await graphql(url, SEARCH, { filter: { kind: 'DESK' } }))).toEqual(['100% focus pod', 'Desk A1', 'Desk A2']);
    expect(names(await graphql(url, SEARCH, { filter: { minCapacity: 5 } }))).toEqual(['Board room', 'Office 3']);
    expect(names(await graphql(url, SEARCH, { filter: { amenities: ['WIFI', 'projector'] } }))).toEqual(['Board room']);
    expect(names(await graphql(url, SEARCH, { filter: { text: 'view' } }))).toEqual(['Board room']);
    expect(names(await graphql(url, SEARCH, { filter: { maxHourlyRate: 1200 } }))).toEqual(['100% focus pod', 'Desk A2']);
    expect(names(await graphql(url, SEARCH, { filter: { city: 'Lyon', kind: 'DESK' } }))).toEqual(['100% focus pod']);
  });

  it('treats LIKE wildcards in search text literally', async () => {
    expect(names(await graphql(url, SEARCH, { filter: { text: '%' } }))).toEqual(['100% focus pod']);
    expect(names(await graphql(url, SEARCH, { filter: { city: '%' } }))).toEqual([]);
  });

  it('pages with first/after and reports totalCount on every page', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res: GraphQLResponse = await graphql(url, SEARCH, { first: 4, after });
      expect(res.data!.workspaces.totalCount).toBe(6);
      seen.push(...names(res));
      pages++;
      const { hasNextPage, endCursor }: { hasNextPage: boolean; endCursor: string | null } = res.data!.workspaces.pageInfo;
      if (!hasNextPage) break;
      after = endCursor;
    }
    expect(pages).toBe(2);
    expect(seen).toEqual(['100% focus pod', 'Board room', 'Desk A1', 'Desk A2', 'Huddle', 'Office 3']);
  });

  it('rejects a forged cursor and an out-of-range page size as BAD_USER_INPUT naming the field', async () => {
    const forged = await graphql(url, SEARCH, { after: 'not-a-cursor' });
    expect(errorCodes(forged)).toEqual(['BAD_USER_INPUT']);
    expect(forged.errors![0].extensions!.field).toBe('after');
    const tooMany = await graphql(url, SEARCH, { first: 1000 });
    expect(errorCodes(tooMany)).toEqual(['BAD_USER_INPUT']);
    expect(tooMany.errors![0].extensions!.field).toBe('first');
  });

  it('rejects invalid workspace input with BAD_USER_INPUT naming each field, and writes nothing', async () => {
    const locations = await graphql(url, `{ locations { id } }`);
    const locationId = locations.data!.locations[0].id;
    const res = await graphql(
      url,
      CREATE_WORKSPACE,
      { input: { locationId, name: '', kind: 'DESK', capacity: 0, hourlyRate: { amount: -1, currency: 'EURO' } } },
      { token: manager },
    );
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    const fields = (res.errors![0].extensions!.fields as { field: string }[]).map((f) => f.field).sort();
    expect(fields).toEqual(['input.capacity', 'input.hourlyRate.amount', 'input.hourlyRate.currency', 'input.name']);
    const missing = await graphql(
      url,
      CREATE_WORKSPACE,
      { input: { locationId: '00000000-0000-4000-8000-000000000000', name: 'X', kind: 'DESK', capacity: 1, hourlyRate: { amount: 1, currency: 'EUR' } } },
      { token: manager },
    );
    expect(missing.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.locationId' });
    expect((await graphql(url, SEARCH, {})).data!.workspaces.totalCount).toBe(6);
  });

  it('rejects a bad time zone and a malformed id', async () => {
    const tz = await graphql(url, CREATE_LOCATION, { input: { name: 'X', city: 'Y', address: 'Z', timezone: 'Mars/Olympus' } }, { token: manager });
    expect(tz.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.timezone' });
    const id = await graphql(url, `{ workspace(id: "42") { id } }`);
    expect(id.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('lets only catalog:write callers create, update and archive (the subgraph enforces it too)', async () => {
    const locationId = (await graphql(url, `{ locations { id } }`)).data!.locations[0].id;
    const input = { locationId, name: 'Sneaky', kind: 'DESK', capacity: 1, hourlyRate: { amount: 1, currency: 'EUR' } };
    expect(errorCodes(await graphql(url, CREATE_WORKSPACE, { input }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await graphql(url, CREATE_WORKSPACE, { input }, { token: member }))).toEqual(['FORBIDDEN']);
    expect(names(await graphql(url, SEARCH, { filter: { text: 'Sneaky' } }))).toEqual([]);
  });

  it('updates, then archives a workspace so search no longer lists it', async () => {
    const target = await graphql(url, `{ workspaces(filter: { text: "Huddle" }) { edges { node { id } } } }`);
    const id = target.data!.workspaces.edges[0].node.id;
    const updated = await graphql(
      url,
      `mutation($id: ID!) { updateWorkspace(id: $id, input: { capacity: 5, amenities: ["TV"] }) { capacity amenities } }`,
      { id },
      { token: manager },
    );
    expect(updated.data!.updateWorkspace).toEqual({ capacity: 5, amenities: ['tv'] });
    const archived = await graphql(url, `mutation($id: ID!) { archiveWorkspace(id: $id) { active } }`, { id }, { token: manager });
    expect(archived.data!.archiveWorkspace.active).toBe(false);
    expect(names(await graphql(url, SEARCH, { filter: { text: 'Huddle' } }))).toEqual([]);
    expect(names(await graphql(url, SEARCH, { filter: { text: 'Huddle', includeArchived: true } }, { token: manager }))).toEqual(['Huddle']);
    expect(errorCodes(await graphql(url, SEARCH, { filter: { includeArchived: true } }, { token: member }))).toEqual(['FORBIDDEN']);
    const gone = await graphql(url, `mutation { archiveWorkspace(id: "00000000-0000-4000-8000-000000000000") { id } }`, {}, { token: manager });
    expect(errorCodes(gone)).toEqual(['NOT_FOUND']);
  });

  it('reads only the columns a search\'s answer needs, and every field through field resolvers and getters', async () => {
    const counter = countStatements(server.orm);
    const lean = await graphql(url, `{ workspaces(first: 3) { edges { cursor node { id name capacity } } } }`);
    const full = await graphql(url, `{ workspaces(first: 3) { edges { cursor node { id name capacity hourlyRate { amount } location { city } createdBy { id } } } } }`);
    const fieldResolvers = await graphql(url, `{ workspaces(first: 3) { edges { node { id location { city } createdBy { id } } } } }`);
    counter.stop();
    expect([lean.errors, full.errors, fieldResolvers.errors]).toEqual([undefined, undefined, undefined]);
    // The key, the order's columns and the asked ones; hourlyRate is a getter: every column.
    expect(counter.statements[0]).toMatch(/^select "w0"\."capacity", "w0"\."id", "w0"\."name" from "workspace"/);
    expect(counter.statements[1]).toMatch(/^select "w0"\.\* from "workspace"/);
    expect(counter.statements[3]).toMatch(/^select "w0"\."created_by_id", "w0"\."id", "w0"\."location_id", "w0"\."name" from "workspace"/);
    expect(lean.data!.workspaces.edges).toEqual(full.data!.workspaces.edges.map((e: { cursor: string; node: { id: string; name: string; capacity: number } }) => ({ cursor: e.cursor, node: { id: e.node.id, name: e.node.name, capacity: e.node.capacity } })));
    expect(fieldResolvers.data!.workspaces.edges.map((e: { node: unknown }) => e.node)).toEqual(
      full.data!.workspaces.edges.map((e: { node: { id: string; location: unknown; createdBy: unknown } }) => ({ id: e.node.id, location: e.node.location, createdBy: e.node.createdBy })),
    );
  });

  it('resolves many workspace references, with their locations, in one statement per entity type', async () => {
    const all = await graphql(url, `{ workspaces(first: 100, filter: { includeArchived: true }) { edges { node { id } } } }`, {}, { token: manager });
    const representations = all.data!.workspaces.edges.map((e: { node: { id: string } }) => ({ __typename: 'Workspace', id: e.node.id }));
    const counter = countStatements(server.orm);
    const res = await graphql(url, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Workspace { id name location { city } } } }`, { r: representations });
    counter.stop();
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toHaveLength(6);
    expect(counter.count).toBe(2); // one select of workspaces, one of their locations
  });

  it('announces created, updated and archived workspaces as events carrying the request id', async () => {
    const locationId = (await graphql(url, `{ locations { id } }`)).data!.locations[0].id;
    const created = await graphql(
      url,
      CREATE_WORKSPACE,
      { input: { locationId, name: 'Evented', kind: 'DESK', capacity: 2, hourlyRate: { amount: 990, currency: 'EUR' } } },
      { token: manager, headers: { 'x-request-id': 'req-evented' } },
    );
    const id = created.data!.createWorkspace.id;
    await graphql(url, `mutation($id: ID!) { archiveWorkspace(id: $id) { id } }`, { id }, { token: manager, headers: { 'x-request-id': 'req-archive' } });
    await graphql(url, `mutation($id: ID!) { archiveWorkspace(id: $id) { id } }`, { id }, { token: manager }); // already archived: no event
    const mine = await waitFor(async () => {
      const all = (await events.all()).filter((e) => (e.data as { workspaceId?: string }).workspaceId === id);
      return all.length >= 2 && all;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect((await events.all()).filter((e) => (e.data as { workspaceId?: string }).workspaceId === id)).toHaveLength(2);
    expect(mine.map((e) => [e.type, e.correlationId, e.actorId])).toEqual([
      ['workspace.created', 'req-evented', managerId],
      ['workspace.archived', 'req-archive', managerId],
    ]);
    expect(mine[0].data).toMatchObject({ name: 'Evented', hourlyRate: { amount: 990, currency: 'EUR' }, active: true, city: 'Lyon', createdById: managerId });
    expect(mine[1].data).toMatchObject({ active: false });
  });

  it('serves Prometheus metrics on /metrics, counting requests per operation and published events', async () => {
    const series = 'atrium_graphql_requests_total{service="catalog",operation="CountedSearch",status="ok"}';
    const scrape = async () => {
      const res = await fetch(`${server.url}/metrics`);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return { text, count: line ? Number(line.slice(series.length + 1)) : 0 };
    };
    const before = await scrape();
    expect((await graphql(url, `query CountedSearch { workspaces(first: 1) { totalCount } }`)).errors).toBeUndefined();
    const after = await scrape();
    expect(after.count - before.count).toBe(1);
    expect(after.text).toMatch(/^atrium_events_published_total\{service="catalog"\} [1-9]/m);
  });
});
