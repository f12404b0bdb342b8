import { countStatements } from '@atrium/kit/subgraph';
import { ADMIN_EMAIL, ADMIN_PASSWORD, AUTH_FIELDS, claims, startIdentity, type Harness, type Session } from '../testing/harness';

const USERS = `query($first: Int!, $after: String) {
  users(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name createdAt } } }
}`;
const SET_ROLES = `mutation($id: ID!, $roles: [Role!]!) { setUserRoles(userId: $id, roles: $roles) { id roles } }`;
const USER = `query($id: ID!) { user(id: $id) { id name email roles } }`;
const ENTITIES = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id name email } } }`;

describe('identity: users and roles', () => {
  let h: Harness;
  let admin: Session;
  let alice: Session;
  let bob: Session;

  beforeAll(async () => {
    h = await startIdentity('identity_users');
    admin = await h.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    alice = await h.register('alice@example.com', undefined, 'Alice');
    bob = await h.register('bob@example.com', undefined, 'Bob');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates the first admin from the configuration', () => {
    expect(admin.user.roles).toEqual(['ADMIN']);
    expect(claims(admin.accessToken).scope.split(' ')).toEqual(
      expect.arrayContaining(['users:read', 'users:admin', 'system:admin', 'catalog:write']),
    );
  });

  it('lists users to an admin, page by page in creation order', async () => {
    const first = await h.gql(USERS, { first: 2 }, admin.accessToken);
    expect(first.errors).toBeUndefined();
    const page1 = first.data!.users;
    expect(page1.totalCount).toBeGreaterThanOrEqual(3);
    expect(page1.edges.map((e: any) => e.node.name)).toEqual(['Administrator', 'Alice']);
    expect(page1.pageInfo.hasNextPage).toBe(true);

    const second = await h.gql(USERS, { first: 100, after: page1.pageInfo.endCursor }, admin.accessToken);
    const page2 = second.data!.users;
    expect(page2.edges[0].node.id).toBe(bob.user.id);
    const all = [...page1.edges, ...page2.edges].map((e: any) => e.node);
    expect(new Set(all.map((u: any) => u.id)).size).toBe(page1.totalCount);
    const times = all.map((u: any) => Date.parse(u.createdAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(page2.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses the user list to a member, and a forged cursor or page size to anyone', async () => {
    const member = await h.gql(USERS, { first: 10 }, alice.accessToken);
    expect(member.data).toEqual({ users: null }); // nullable: a refusal nulls the field, not the response
    expect(member.errors![0].extensions!.code).toBe('FORBIDDEN');
    const anonymous = await h.gql(USERS, { first: 10 });
    expect(anonymous.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    const forged = await h.gql(USERS, { first: 10, after: 'bm90IGEgY3Vyc29y' }, admin.accessToken);
    expect(forged.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const huge = await h.gql(USERS, { first: 1000 }, admin.accessToken);
    expect(huge.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('lets an admin change roles, which the next refresh carries into the token', async () => {
    const carol = await h.register('carol@example.com');
    const res = await h.gql(SET_ROLES, { id: carol.user.id, roles: ['MANAGER', 'MEMBER', 'MANAGER'] }, admin.accessToken);
    expect(res.errors).toBeUndefined();
    expect(res.data!.setUserRoles).toEqual({ id: carol.user.id, roles: ['MANAGER', 'MEMBER'] });

    const refreshed = await h.gql(`mutation($t: String!) { refreshSession(refreshToken: $t) { ${AUTH_FIELDS} } }`, {
      t: carol.refreshToken,
    });
    const token = claims(refreshed.data!.refreshSession.accessToken);
    expect(token.roles).toEqual(['MANAGER', 'MEMBER']);
    expect(token.scope).toBe('bookings:read catalog:write reports:read');
  });

  it('refuses role changes to a member, and empty roles, unknown users and self-demotion to an admin', async () => {
    const member = await h.gql(SET_ROLES, { id: alice.user.id, roles: ['ADMIN'] }, alice.accessToken);
    expect(member.data).toBeNull();
    expect(member.errors![0].extensions!.code).toBe('FORBIDDEN');

    const empty = await h.gql(SET_ROLES, { id: alice.user.id, roles: [] }, admin.accessToken);
    expect(empty.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'roles' });

    const self = await h.gql(SET_ROLES, { id: admin.user.id, roles: ['MEMBER'] }, admin.accessToken);
    expect(self.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'roles' });
    const keepsAdmin = await h.gql(SET_ROLES, { id: admin.user.id, roles: ['ADMIN', 'MANAGER'] }, admin.accessToken);
    expect(keepsAdmin.data!.setUserRoles.roles).toEqual(['ADMIN', 'MANAGER']);

    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const unknown = await h.gql(SET_ROLES, { id, roles: ['MEMBER'] }, admin.accessToken);
      expect(unknown.errors![0].extensions!.code).toBe('NOT_FOUND');
    }
    const stillMember = await h.gql(USER, { id: alice.user.id }, alice.accessToken);
    expect(stillMember.data!.user.roles).toEqual(['MEMBER']);
  });

  it('shows a user to themself and to an admin, e-mail included, and to no other member', async () => {
    const self = await h.gql(USER, { id: alice.user.id }, alice.accessToken);
    expect(self.data!.user).toEqual({ id: alice.user.id, name: 'Alice', email: 'alice@example.com', roles: ['MEMBER'] });
    const byAdmin = await h.gql(USER, { id: alice.user.id }, admin.accessToken);
    expect(byAdmin.data!.user.email).toBe('alice@example.com');
    expect(byAdmin.errors).toBeUndefined();

    const other = await h.gql(USER, { id: alice.user.id }, bob.accessToken);
    expect(other.data).toEqual({ user: null });
    expect(other.errors![0].extensions!.code).toBe('FORBIDDEN');
    expect((await h.gql(USER, { id: 'not-a-uuid' }, admin.accessToken)).data).toEqual({ user: null });
  });

  it('resolves a referenced user for anyone but hides its e-mail from other members (null + FORBIDDEN) and anonymous callers', async () => {
    const reps = [{ __typename: 'User', id: alice.user.id }];
    const other = await h.gql(ENTITIES, { reps }, bob.accessToken);
    expect(other.data!._entities).toEqual([{ id: alice.user.id, name: 'Alice', email: null }]);
    expect(other.errors).toHaveLength(1);
    expect(other.errors![0]).toMatchObject({ path: ['_entities', 0, 'email'], extensions: { code: 'FORBIDDEN' } });

    const anonymous = await h.gql(ENTITIES, { reps });
    expect(anonymous.data!._entities).toEqual([{ id: alice.user.id, name: 'Alice', email: null }]);
    expect(anonymous.errors![0]).toMatchObject({ path: ['_entities', 0, 'email'], extensions: { code: 'UNAUTHENTICATED' } });

    const self = await h.gql(ENTITIES, { reps }, alice.accessToken);
    expect(self.data!._entities[0].email).toBe('alice@example.com');
    expect(self.errors).toBeUndefined();
  });

  it('resolves 20 referenced users with one SQL statement', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const created = await h.server.orm.em.getConnection().execute(
        `insert into "user" (id, email, name, password_hash, created_at, updated_at) values (gen_random_uuid(), ?, ?, 'x', now(), now()) returning id`,
        [`bulk${i}@example.com`, `Bulk ${i}`],
      );
      ids.push(created[0].id);
    }
    const reps = [...ids.map((id) => ({ __typename: 'User', id })), { __typename: 'User', id: 'not-a-uuid' }];
    const counter = countStatements(h.server.orm);
    try {
      const res = await h.gql(ENTITIES, { reps });
      expect(res.data!._entities.slice(0, 20).map((u: any) => u.name)).toEqual(ids.map((_, i) => `Bulk ${i}`));
      expect(res.data!._entities[20]).toBeNull();
    } finally {
      counter.stop();
    }
    expect(counter.statements).toHaveLength(1);
    expect(counter.statements[0]).toMatch(/^select .* from "user"/);
  });
});
