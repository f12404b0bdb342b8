/**
 * The floors give the same answers as Atrium's subgraphs: each floor and the real
 * subgraph (in-process, on a fresh database) are asked the same requests and must answer
 * the same status, data and errors (code and path), cursors included.
 */
import { loadConfig } from '@atrium/kit';
import { createTestDatabase, createTestEvents, createTestIssuer, graphql, testLogger, type TestDatabase, type TestEvents } from '@atrium/kit/testing';
import { createRemoteJWKSet } from 'jose';
import { Pool } from 'pg';
import { catalogEnv } from '../../subgraphs/catalog/src/config';
import { createServer as createCatalog } from '../../subgraphs/catalog/src/server';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startIdentity, type Harness, type Session } from '../../subgraphs/identity/src/testing/harness';
import { QUERY_SPECS } from '../queries';
import { createFloorVerifier } from './auth';
import { catalogFloorSchema } from './catalog-floor';
import { identityFloorSchema } from './identity-floor';
import { createFloorServer, type FloorServer } from './server';

interface Answer {
  status: number;
  data: unknown;
  errors: { code: unknown; path: unknown }[] | undefined;
}

/** What a client can tell apart: HTTP status, data, and each error's code and path. */
async function ask(url: string, query: string, variables: Record<string, unknown> = {}, authorization?: string): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: unknown; errors?: { path?: unknown; extensions?: { code?: unknown } }[] };
  return { status: res.status, data: body.data, errors: body.errors?.map((e) => ({ code: e.extensions?.code, path: e.path })) };
}

const PAGE = (field: string, node: string) => `query($first: Int!, $after: String) {
  ${field}(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${node} } } }
}`;

describe('catalog-floor answers as catalog does', () => {
  let db: TestDatabase;
  let events: TestEvents;
  let catalog: Awaited<ReturnType<typeof createCatalog>>;
  let pool: Pool;
  let floor: FloorServer;
  let catalogUrl: string;
  let floorUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase('floor_catalog');
    events = createTestEvents('floor_catalog');
    const issuer = await createTestIssuer();
    catalog = await createCatalog(loadConfig(catalogEnv, { DATABASE_URL: db.url, PORT: '0', ...events.env }), { verifier: issuer.verifier, log: testLogger() });
    catalogUrl = `${catalog.url}/graphql`;
    const manager = await issuer.token({ roles: ['MANAGER'] });
    const location = await graphql(catalogUrl, `mutation($input: CreateLocationInput!) { createLocation(input: $input) { id } }`, {
      input: { name: 'Atrium Opéra', city: 'Paris', address: '1 rue Auber', timezone: 'Europe/Paris' },
    }, { token: manager });
    const locationId = location.data!.createLocation.id as string;
    // Names that sort differently by byte and by collation, a duplicate name (ordered by id), and an archived one.
    for (const [name, capacity] of [['desk b', 1], ['Desk A', 2], ['Board room', 12], ['Desk A', 3], ['Ölraum', 4], ['archived', 5]] as const) {
      const res = await graphql(
        catalogUrl,
        `mutation($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { id } }`,
        { input: { locationId, name, kind: 'DESK', capacity, hourlyRate: { amount: 1000, currency: 'EUR' } } },
        { token: manager },
      );
      expect(res.errors).toBeUndefined();
      if (name === 'archived') {
        const archived = await graphql(catalogUrl, `mutation($id: ID!) { archiveWorkspace(id: $id) { active } }`, { id: res.data!.createWorkspace.id }, { token: manager });
        expect(archived.data!.archiveWorkspace.active).toBe(false);
      }
    }
    pool = new Pool({ connectionString: db.url, max: 2 });
    floor = createFloorServer({ schema: catalogFloorSchema(), pool });
    floorUrl = await floor.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await floor?.close();
    await pool?.end();
    await catalog?.close();
    await events?.close();
    await db?.drop();
  });

  it("answers the benchmark's query (a) with the same active workspaces in the same order", async () => {
    const [atrium, ours] = await Promise.all([ask(catalogUrl, QUERY_SPECS.single.direct.query), ask(floorUrl, QUERY_SPECS.single.direct.query)]);
    expect(atrium.status).toBe(200);
    expect((atrium.data as any).workspaces.edges).toHaveLength(5);
    expect(ours).toEqual(atrium);
  });

  it('pages the same way, with the same cursors, page info and total', async () => {
    const query = PAGE('workspaces', 'id name capacity');
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const [atrium, ours]: Answer[] = await Promise.all([ask(catalogUrl, query, { first: 2, after }), ask(floorUrl, query, { first: 2, after })]);
      expect(atrium.errors).toBeUndefined();
      expect(ours).toEqual(atrium);
      after = (atrium.data as any).workspaces.pageInfo.endCursor;
    }
    expect(after).not.toBeNull();
  });

  it('refuses the same page sizes and forged cursors', async () => {
    const query = PAGE('workspaces', 'id');
    for (const variables of [{ first: 0 }, { first: 101 }, { first: 2, after: 'bm90IGEgY3Vyc29y' }]) {
      const [atrium, ours] = await Promise.all([ask(catalogUrl, query, variables), ask(floorUrl, query, variables)]);
      expect(atrium.errors?.[0].code).toBe('BAD_USER_INPUT');
      expect(ours.errors).toEqual(atrium.errors);
    }
  });
});

describe('identity-floor answers as identity does', () => {
  let h: Harness;
  let admin: Session;
  let alice: Session;
  let bob: Session;
  let pool: Pool;
  let floor: FloorServer;
  let identityUrl: string;
  let floorUrl: string;

  beforeAll(async () => {
    h = await startIdentity('floor_identity');
    identityUrl = `${h.server.url}/graphql`;
    admin = await h.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    alice = await h.register('alice@example.com', undefined, 'Alice');
    bob = await h.register('Bob@Example.com', undefined, 'Bob');
    pool = new Pool({ connectionString: h.db.url, max: 2 });
    const keys = createRemoteJWKSet(new URL(`${h.server.url}/.well-known/jwks.json`));
    floor = createFloorServer({ schema: identityFloorSchema(), pool, verify: createFloorVerifier({ keys, issuer: h.config.JWT_ISSUER, audience: h.config.JWT_AUDIENCE }) });
    floorUrl = await floor.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await floor?.close();
    await pool?.end();
    await h?.close();
  });

  const both = (query: string, variables: Record<string, unknown>, authorization?: string) =>
    Promise.all([ask(identityUrl, query, variables, authorization), ask(floorUrl, query, variables, authorization)]);

  it("answers the benchmark's query (c) as an admin with the same users, roles and e-mails", async () => {
    const [atrium, ours] = await both(QUERY_SPECS.auth.direct.query, { id: alice.user.id }, `Bearer ${admin.accessToken}`);
    expect(atrium.errors).toBeUndefined();
    expect((atrium.data as any).users.edges).toHaveLength(3);
    expect((atrium.data as any).user.email).toBe('alice@example.com');
    expect(ours).toEqual(atrium);
  });

  it('applies the same rules to a member, to another member and to an anonymous caller', async () => {
    for (const [id, authorization] of [
      [alice.user.id, `Bearer ${alice.accessToken}`],
      [bob.user.id, `Bearer ${alice.accessToken}`],
      [alice.user.id, undefined],
    ] as const) {
      const [atrium, ours] = await both(QUERY_SPECS.auth.direct.query, { id }, authorization);
      expect(atrium.errors?.length).toBeGreaterThan(0);
      expect(ours).toEqual(atrium);
    }
  });

  it("hides a user's e-mail from other members, row by row", async () => {
    const query = `query($id: ID!) { user(id: $id) { id name email } }`;
    // The policy lets a member read themself; a user(id) of someone else is refused before any row.
    const [atrium, ours] = await both(query, { id: bob.user.id }, `Bearer ${bob.accessToken}`);
    expect((atrium.data as any).user.email).toBe('Bob@Example.com');
    expect(ours).toEqual(atrium);
    const [unknown, oursUnknown] = await both(query, { id: 'not-a-uuid' }, `Bearer ${admin.accessToken}`);
    expect((unknown.data as any).user).toBeNull();
    expect(oursUnknown).toEqual(unknown);
  });

  it('pages users oldest first with the same cursors, page info and total', async () => {
    const query = PAGE('users', 'id name roles');
    let after: string | null = null;
    for (let page = 0; page < 2; page++) {
      const [atrium, ours]: Answer[] = await both(query, { first: 2, after }, `Bearer ${admin.accessToken}`);
      expect(atrium.errors).toBeUndefined();
      expect(ours).toEqual(atrium);
      after = (atrium.data as any).users.pageInfo.endCursor;
    }
  });

  it('refuses the same bad tokens with 401', async () => {
    const forged = `${admin.accessToken.slice(0, -4)}AAAA`;
    for (const authorization of [`Bearer ${forged}`, 'Bearer not.a.token', 'Basic dXNlcjpwYXNz']) {
      const [atrium, ours] = await both(QUERY_SPECS.auth.direct.query, { id: alice.user.id }, authorization);
      expect(atrium.status).toBe(401);
      expect(ours).toEqual(atrium);
    }
  });
});
