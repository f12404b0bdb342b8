import { graphql, subscribe, type GraphQLResponse } from '@atrium/kit/testing';
import { castOfUsers, startSupergraph, type RunningSupergraph, type Session } from '../support/supergraph';

// Bad input is the caller's error, never an outage (issue 8, item 3), through the gateway on
// the real supergraph: bad dates, impossible ranges, strings no database can store, cursors
// of other lists, refusals that must null only their field, and subgraphs that are down.
let sg: RunningSupergraph;
let users: Record<'admin' | 'manager' | 'member', Session>;
let workspaceId: string;

beforeAll(async () => {
  sg = await startSupergraph();
  users = await castOfUsers(sg.url);
  const location = await graphql(
    sg.url,
    `mutation { createLocation(input: { name: "HQ", city: "Lyon", address: "1 quai X", timezone: "Europe/Paris" }) { id } }`,
    {},
    { token: users.manager.accessToken },
  );
  const workspace = await graphql(
    sg.url,
    `mutation($l: ID!) { createWorkspace(input: { locationId: $l, name: "Room A", kind: MEETING_ROOM, capacity: 6, hourlyRate: { amount: 3000, currency: "EUR" } }) { id } }`,
    { l: location.data!.createLocation.id },
    { token: users.manager.accessToken },
  );
  workspaceId = workspace.data!.createWorkspace.id;
});

afterAll(async () => {
  await sg?.close();
});

const as = (who: keyof typeof users) => ({ token: users[who].accessToken });
/** `[path, code, field]` of every error: what a client switches on. */
const summary = (res: GraphQLResponse) => (res.errors ?? []).map((e) => [e.path, e.extensions?.code, e.extensions?.field]);
/** Nothing internal in an answer: no SQL, stack frame, driver or planner text. */
const leaksNothing = (res: GraphQLResponse) => {
  const text = JSON.stringify({ data: res.data, errors: res.errors });
  expect(text).not.toMatch(/\b(select|insert into|update|delete from)\b .*\b(from|values|set|where)\b/i);
  expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|\.js:\d+/);
  expect(text).not.toMatch(/DriverException|ECONNREFUSED|Was not able|undefined:/);
};

describe('bad dates (D3)', () => {
  const AVAILABILITY = 'query($id: ID!, $from: DateTime!, $to: DateTime!) { workspace(id: $id) { name availability(from: $from, to: $to) { startsAt } } }';

  it.each(['not-a-date', '2026-02-30', '+275760-09-13T00:00:00Z'])('%s for Workspace.availability is BAD_USER_INPUT naming the argument, not SUBGRAPH_UNAVAILABLE', async (bad) => {
    const res = await graphql(sg.url, AVAILABILITY, { id: workspaceId, from: bad, to: '2031-01-02T00:00:00Z' }, as('member'));
    expect(summary(res)).toEqual([[['workspace', 'availability'], 'BAD_USER_INPUT', 'from']]);
    expect(res.errors![0].message).toBe(`from: must be an RFC 3339 date-time such as 2026-11-22T09:00:00Z, got ${JSON.stringify(bad)}`);
    // availability is [TimeSlot!]!: GraphQL itself nulls its workspace — the schema forces that, the error says why.
    expect(res.data).toEqual({ workspace: null });
    leaksNothing(res);
  });

  it('names a literal argument too, and leaves a good query of the same workspace alone', async () => {
    const res = await graphql(sg.url, `query($id: ID!) { workspace(id: $id) { name availability(from: "not-a-date", to: "2026-02-30") { startsAt } } }`, { id: workspaceId }, as('member'));
    expect(summary(res)).toEqual([
      [['workspace', 'availability'], 'BAD_USER_INPUT', 'from'],
      [['workspace', 'availability'], 'BAD_USER_INPUT', 'to'],
    ]);
    const good = await graphql(sg.url, AVAILABILITY, { id: workspaceId, from: '2031-01-01T00:00:00Z', to: '2031-01-02T00:00:00Z' }, as('member'));
    expect(good.errors).toBeUndefined();
    expect(good.data!.workspace.name).toBe('Room A');
  });

  it.each(['not-a-date', '2026-02-30', '0001-13-01'])('%s for dailyStats is BAD_USER_INPUT naming the argument', async (bad) => {
    const res = await graphql(sg.url, 'query($from: Date!) { dailyStats(from: $from, to: "2031-01-01") { date } }', { from: bad }, as('admin'));
    expect(summary(res)).toEqual([[['dailyStats'], 'BAD_USER_INPUT', 'from']]);
    expect(res.data).toEqual({ dailyStats: null });
    leaksNothing(res);
  });
});

describe('an absurd dailyStats range (D4)', () => {
  it('is refused as BAD_USER_INPUT in one fetch, never retried', async () => {
    const before = sg.received.reporting.length;
    const res = await graphql(sg.url, '{ dailyStats(from: "0001-01-01", to: "9999-12-31") { date } }', {}, as('admin'));
    expect(summary(res)).toEqual([[['dailyStats'], 'BAD_USER_INPUT', 'to']]);
    expect(res.errors![0].message).toBe('to: the range may span at most 366 days');
    expect(sg.received.reporting.slice(before).filter((q) => q.includes('dailyStats'))).toHaveLength(1);
  });
});

describe('strings no database can store and cursors of other lists (D10)', () => {
  it('refuses NUL in a variable or a literal as a 400 BAD_USER_INPUT naming the field, before any subgraph is asked', async () => {
    const before = sg.received.catalog.length;
    const variable = await graphql(sg.url, 'query($t: String) { workspaces(filter: { text: $t }) { totalCount } }', { t: 'Room\u0000A' }, as('member'));
    expect(variable.status).toBe(400);
    expect(summary(variable)).toEqual([[undefined, 'BAD_USER_INPUT', 't']]);
    const literal = await graphql(sg.url, '{ workspaces(filter: { text: "Room\\u0000A" }) { totalCount } }', {}, as('member'));
    expect(literal.status).toBe(400);
    expect(summary(literal)).toEqual([[undefined, 'BAD_USER_INPUT', 'filter.text']]);
    expect(sg.received.catalog.length).toBe(before);
  });

  it('refuses a lone surrogate in register.name, and creates no account', async () => {
    const res = await graphql(sg.url, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }', {
      input: { email: 'lone-surrogate@atrium.test', password: 'correct-horse-battery', name: 'Ada \ud800' },
    });
    expect(res.status).toBe(400);
    expect(summary(res)).toEqual([[undefined, 'BAD_USER_INPUT', 'input.name']]);
    const login = await graphql(sg.url, 'mutation { login(input: { email: "lone-surrogate@atrium.test", password: "correct-horse-battery" }) { accessToken } }');
    expect(login.errors).toBeDefined();
  });

  it('refuses the same strings sent straight to a subgraph (no gateway in front)', async () => {
    const res = await graphql(`${sg.subgraphs.catalog.url}/graphql`, 'query($t: String) { workspaces(filter: { text: $t }) { totalCount } }', { t: '\u0000' });
    expect(res.status).toBe(400);
    expect(summary(res)).toEqual([[undefined, 'BAD_USER_INPUT', 't']]);
  });

  it('refuses them in a subscription too (a subgraph over WebSocket)', async () => {
    const sub = subscribe(`${sg.subgraphs.booking.url}/graphql`, 'subscription($w: ID) { bookingUpdated(workspaceId: $w) { id } }', { w: 'a\u0000' }, { token: users.member.accessToken });
    const ended = await sub.ended;
    await sub.close();
    expect(ended.completed).toBe(false);
    expect((ended as { error: unknown }).error).toEqual([
      { message: 'w: must not contain NUL characters or unpaired UTF-16 surrogates', extensions: { code: 'BAD_USER_INPUT', field: 'w' } },
    ]);
  });

  it('answers a body a subgraph cannot read with a JSON 400, not an HTML page with a stack trace', async () => {
    for (const [body, contentType] of [
      ['{"query": ', 'application/json'],
      ['{"query": "{ __typename }"}', 'application/json; charset=klingon'],
    ]) {
      const res = await fetch(`${sg.subgraphs.identity.url}/graphql`, { method: 'POST', headers: { 'content-type': contentType }, body });
      expect(res.status).toBe(contentType.includes('klingon') ? 415 : 400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ errors: [{ message: 'Malformed request body', extensions: { code: 'BAD_REQUEST' } }] });
      expect(text).not.toMatch(/at |node_modules|SyntaxError/);
    }
  });

  it('answers a cursor of another list, or a forged one, with BAD_USER_INPUT on `after`', async () => {
    const usersPage = await graphql(sg.url, '{ users(first: 1) { pageInfo { endCursor } } }', {}, as('admin'));
    const workspacesPage = await graphql(sg.url, '{ workspaces(first: 1) { pageInfo { endCursor } } }', {}, as('admin'));
    const usersCursor = usersPage.data!.users.pageInfo.endCursor;
    const workspacesCursor = workspacesPage.data!.workspaces.pageInfo.endCursor;
    const WORKSPACES = 'query($after: String) { workspaces(first: 1, after: $after) { totalCount } }';
    const USERS = 'query($after: String) { users(first: 1, after: $after) { totalCount } }';
    for (const [query, after] of [
      [WORKSPACES, usersCursor],
      [USERS, workspacesCursor],
      [WORKSPACES, 'WzEsMl0'],
      [USERS, Buffer.from('["2026-01-01T00:00:00.000Z"]').toString('base64url')],
    ]) {
      const res = await graphql(sg.url, query, { after }, as('admin'));
      expect(summary(res)).toEqual([[[query === USERS ? 'users' : 'workspaces'], 'BAD_USER_INPUT', 'after']]);
      leaksNothing(res);
    }
    expect((await graphql(sg.url, WORKSPACES, { after: workspacesCursor }, as('admin'))).errors).toBeUndefined();
  });
});

describe('refusals by scope or policy (D15)', () => {
  it('null only the refused fields: a member keeps `me`', async () => {
    const res = await graphql(
      sg.url,
      '{ me { id } users(first: 1) { totalCount } dailyStats(from: "2026-01-01", to: "2026-01-02") { date } activityLog(first: 1) { totalCount } systemHealth { status } incidents(first: 1) { totalCount } }',
      {},
      as('member'),
    );
    expect(res.data).toEqual({ me: { id: users.member.userId }, users: null, dailyStats: null, activityLog: null, systemHealth: null, incidents: null });
    expect(summary(res)).toEqual(['users', 'dailyStats', 'activityLog', 'systemHealth', 'incidents'].map((f) => [[f], 'FORBIDDEN', undefined]));
  });

  it('null only Workspace.bookings, not the workspace', async () => {
    const res = await graphql(sg.url, 'query($id: ID!) { workspace(id: $id) { name bookings(first: 1) { totalCount } } }', { id: workspaceId }, as('member'));
    expect(res.data).toEqual({ workspace: { name: 'Room A', bookings: null } });
    expect(summary(res)).toEqual([[['workspace', 'bookings'], 'FORBIDDEN', undefined]]);
  });
});

describe('two operations without operationName, or an unknown one (D7)', () => {
  it('are a 400 OPERATION_RESOLUTION_FAILURE saying so', async () => {
    const send = (body: unknown) =>
      fetch(sg.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect(await send({ query: 'query A { locations { id } } query B { locations { name } }' })).toEqual({
      status: 400,
      body: { errors: [{ message: 'Must provide operation name if query contains multiple operations.', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }] },
    });
    expect(await send({ query: 'query A { locations { id } }', operationName: 'B' })).toEqual({
      status: 400,
      body: { errors: [{ message: 'Unknown operation named "B".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }] },
    });
  });
});

// Last: they stop subgraphs.
describe('a subgraph that is down (D11)', () => {
  it('costs only its own fields, each error at its path: a workspace keeps its name without its stats', async () => {
    await sg.stop('reporting');
    const res = await graphql(sg.url, 'query($id: ID!) { workspace(id: $id) { name stats { bookings } } }', { id: workspaceId }, as('manager'));
    expect(res.data).toEqual({ workspace: { name: 'Room A', stats: null } });
    expect(res.errors).toEqual([
      { message: 'Subgraph "reporting" is unavailable', path: ['workspace', 'stats'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'reporting' } },
    ]);
  });

  it('says where: `me` is null only because unreadNotificationCount is Int!, and the error is at that field', async () => {
    await sg.stop('notification');
    const res = await graphql(sg.url, '{ me { id name unreadNotificationCount } }', {}, as('member'));
    expect(res.data).toEqual({ me: null });
    expect(res.errors).toEqual([
      {
        message: 'Subgraph "notification" is unavailable',
        path: ['me', 'unreadNotificationCount'],
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'notification' },
      },
    ]);
    leaksNothing(res);
  });
});
