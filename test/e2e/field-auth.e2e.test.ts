import { errorCodes, graphql } from '@atrium/kit/testing';
import { castOfUsers, startSupergraph, type RunningSupergraph, type Session } from '../support/supergraph';

type Who = 'anonymous' | 'member' | 'manager' | 'admin';
const EVERYONE: Who[] = ['anonymous', 'member', 'manager', 'admin'];

let sg: RunningSupergraph;
let users: Record<Exclude<Who, 'anonymous'>, Session>;
let workspaceId: string;

const tokenOf = (who: Who) => (who === 'anonymous' ? undefined : users[who].accessToken);

beforeAll(async () => {
  sg = await startSupergraph();
  users = await castOfUsers(sg.url);
  const location = await graphql(
    sg.url,
    `mutation { createLocation(input: { name: "HQ", city: "Paris", address: "1 rue X", timezone: "Europe/Paris" }) { id } }`,
    {},
    { token: users.manager.accessToken },
  );
  const ws = await graphql(
    sg.url,
    `mutation($l: ID!) { createWorkspace(input: { locationId: $l, name: "Desk 1", kind: DESK, capacity: 1, hourlyRate: { amount: 1000, currency: "EUR" } }) { id } }`,
    { l: location.data!.createLocation.id },
    { token: users.manager.accessToken },
  );
  workspaceId = ws.data!.createWorkspace.id;
});

afterAll(async () => {
  await sg?.close();
});

interface Case {
  /** The protected field, as it appears in the operation and in subgraph fetches. */
  field: string;
  subgraph: 'identity' | 'catalog';
  operation: () => { query: string; variables?: Record<string, unknown> };
  /** Where the field's value lands in the response. */
  path: (string | number)[];
  allowed: Who[];
  /** Passed by the gateway, then denied by the subgraph's own row rule (FORBIDDEN after the fetch). */
  deniedByRowRule?: Who[];
}

const cases: Case[] = [
  { field: 'me', subgraph: 'identity', path: ['me'], allowed: ['member', 'manager', 'admin'], operation: () => ({ query: '{ me { id name } }' }) },
  {
    field: 'users',
    subgraph: 'identity',
    path: ['users'],
    allowed: ['admin'],
    operation: () => ({ query: '{ users(first: 5) { totalCount } }' }),
  },
  {
    field: 'user',
    subgraph: 'identity',
    path: ['user'],
    allowed: ['member', 'admin'], // self_or_admin: the member asks for themself
    operation: () => ({ query: 'query($id: ID!) { user(id: $id) { name } }', variables: { id: users.member.userId } }),
  },
  {
    field: 'setUserRoles',
    subgraph: 'identity',
    path: ['setUserRoles'],
    allowed: ['admin'],
    operation: () => ({ query: 'mutation($id: ID!) { setUserRoles(userId: $id, roles: [MEMBER]) { id } }', variables: { id: users.member.userId } }),
  },
  {
    field: 'updateProfile',
    subgraph: 'identity',
    path: ['updateProfile'],
    allowed: ['member', 'manager', 'admin'],
    operation: () => ({ query: 'mutation { updateProfile(input: { name: "Renamed" }) { id } }' }),
  },
  {
    field: 'createLocation',
    subgraph: 'catalog',
    path: ['createLocation'],
    allowed: ['manager', 'admin'],
    operation: () => ({ query: 'mutation { createLocation(input: { name: "L", city: "Nice", address: "A", timezone: "Europe/Paris" }) { id } }' }),
  },
  {
    field: 'updateWorkspace',
    subgraph: 'catalog',
    path: ['updateWorkspace'],
    allowed: ['manager', 'admin'],
    operation: () => ({ query: 'mutation($id: ID!) { updateWorkspace(id: $id, input: { capacity: 2 }) { id } }', variables: { id: workspaceId } }),
  },
  {
    field: 'archiveWorkspace',
    subgraph: 'catalog',
    path: ['archiveWorkspace'],
    allowed: ['manager', 'admin'],
    operation: () => ({ query: 'mutation { archiveWorkspace(id: "00000000-0000-4000-8000-000000000000") { id } }' }),
  },
  {
    field: 'email',
    subgraph: 'identity',
    path: ['workspace', 'createdBy', 'email'],
    allowed: ['manager', 'admin'], // the manager created it (self); admin reads anyone's
    deniedByRowRule: ['member'],
    operation: () => ({ query: 'query($id: ID!) { workspace(id: $id) { name createdBy { name email } } }', variables: { id: workspaceId } }),
  },
];

const rows = cases.flatMap((c) => EVERYONE.map((who) => [c.field, who, c.allowed.includes(who), c] as const));

describe('field-level authorization through the gateway', () => {
  it('runs the rest of an operation whose unauthorized part was removed', async () => {
    const before = sg.received.identity.length;
    const res = await graphql(
      sg.url,
      `query($other: ID!) { user(id: $other) { name } workspaces(first: 5) { totalCount edges { node { name createdBy { name } } } } }`,
      { other: users.admin.userId },
      { token: users.member.accessToken },
    );
    expect(res.data!.user).toBeNull();
    expect(res.errors!.map((e) => [e.path, e.extensions!.code])).toEqual([[['user'], 'FORBIDDEN']]);
    expect(res.data!.workspaces.edges).toEqual([{ node: { name: 'Desk 1', createdBy: { name: 'Max Manager' } } }]);
    expect(sg.received.identity.slice(before).some((q) => /\buser\(/.test(q))).toBe(false);
  });

  it('nulls only a refused field, since every field a caller may be refused is nullable', async () => {
    const res = await graphql(sg.url, '{ me { id } users(first: 1) { totalCount } }', {}, { token: users.member.accessToken });
    expect(res.data).toEqual({ me: { id: users.member.userId }, users: null });
    expect(res.errors!.map((e) => [e.path, e.extensions!.code])).toEqual([[['users'], 'FORBIDDEN']]);
  });

  it('propagates null from a removed non-null field to its parent, per GraphQL', async () => {
    const res = await graphql(sg.url, 'mutation($id: ID!) { setUserRoles(userId: $id, roles: [MEMBER]) { id } }', { id: users.member.userId }, { token: users.member.accessToken });
    expect(res.data).toBeNull();
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
  });

  it('lets a member read other users’ names but not their e-mail (row rule in identity)', async () => {
    const res = await graphql(
      sg.url,
      'query($id: ID!) { workspace(id: $id) { createdBy { name email } } }',
      { id: workspaceId },
      { token: users.member.accessToken },
    );
    expect(res.data!.workspace.createdBy).toEqual({ name: 'Max Manager', email: null });
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
  });

  it('applies to @defer: a refused field is removed from the deferred part and answered as null with its error; a deferred part refused by a row rule carries its error at its path', async () => {
    const before = sg.received.identity.length;
    const refused = await deferred('query { me { id } ... @defer(label: "admin") { workspaces(first: 1) { totalCount } users(first: 1) { totalCount } } }', {}, users.member.accessToken);
    expect(refused).toEqual([
      { data: { me: { id: users.member.userId }, users: null }, errors: [expect.objectContaining({ path: ['users'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })], hasNext: true },
      { incremental: [{ data: { workspaces: { totalCount: 1 } }, path: [], label: 'admin' }], hasNext: false },
    ]);
    expect(sg.received.identity.slice(before).some((q) => /\busers\(/.test(q))).toBe(false);

    const rowRule = await deferred('query($id: ID!) { workspace(id: $id) { name ... @defer { createdBy { name email } } } }', { id: workspaceId }, users.member.accessToken);
    expect(rowRule[0]).toEqual({ data: { workspace: { name: 'Desk 1' } }, hasNext: true });
    expect(rowRule[1]).toMatchObject({ hasNext: false, incremental: [{ data: { createdBy: { name: 'Max Manager', email: null } }, path: ['workspace'] }] });
    expect((rowRule[1] as { incremental: { errors: { path: unknown; extensions: { code: string } }[] }[] }).incremental[0].errors.map((e) => [e.path, e.extensions.code])).toEqual([
      [['workspace', 'createdBy', 'email'], 'FORBIDDEN'],
    ]);
  });

  // Last: some allowed mutations (updateProfile) change the data the tests above read.
  it.each(rows)('%s as %s: allowed=%s', async (_field, who, allowed, c) => {
    const { query, variables } = c.operation();
    const before = sg.received[c.subgraph].length;
    const res = await graphql(sg.url, query, variables, { token: tokenOf(who) });
    const atPath = (res.errors ?? []).filter((e) => JSON.stringify(e.path) === JSON.stringify(c.path));
    const authErrors = atPath.filter((e) => ['UNAUTHENTICATED', 'FORBIDDEN'].includes(e.extensions?.code));
    const value = c.path.reduce<any>((v, k) => (v == null ? v : v[k]), res.data); // null propagation may null a parent
    const fetched = sg.received[c.subgraph].slice(before);
    if (allowed) {
      expect(authErrors).toEqual([]);
      expect(fetched.some((q) => new RegExp(`\\b${c.field}\\b`).test(q))).toBe(true);
    } else if (c.deniedByRowRule?.includes(who)) {
      expect(value).toBeNull();
      expect(authErrors.map((e) => e.extensions!.code)).toEqual(['FORBIDDEN']);
    } else {
      expect(value).toBeNull();
      expect(authErrors.map((e) => e.extensions!.code)).toEqual([who === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN']);
      // Removed before planning: no subgraph was asked for the field.
      expect(fetched.filter((q) => new RegExp(`\\b${c.field}\\b`).test(q))).toEqual([]);
    }
  });
});

/** Sends `query` asking for @defer parts (multipart/mixed; deferSpec=20220824) and gives each part's JSON. */
async function deferred(query: string, variables: Record<string, unknown>, token: string): Promise<unknown[]> {
  const res = await fetch(`${sg.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed;deferSpec=20220824,application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  expect(res.headers.get('content-type')).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
  return (await res.text())
    .split('\r\n---')
    .map((part) => part.slice(part.indexOf('\r\n\r\n') + 4).trim())
    .filter((json) => json.startsWith('{'))
    .map((json) => JSON.parse(json));
}
