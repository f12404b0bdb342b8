import { createTestIssuer, graphql, waitFor } from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { castOfUsers, startSupergraph, type RunningSupergraph, type Session } from '../support/supergraph';

/**
 * The hostile tier: hundreds of requests a hostile or careless client sends — malformed
 * bodies, broken and oversized operations, bad scalars and cursors, forged tokens, other
 * people's data, credential floods, schema probing — through the gateway (in development
 * and in production mode) and straight at the subgraphs. Whatever is sent: no 5xx, no
 * internal text in any answer, every error with a code, and every service still ready.
 */
let sg: RunningSupergraph;
let users: { admin: Session; member: Session; manager: Session };
let other: Session;
let workspaceId: string;
let bookingId: string;
let production: string;

/** What must never reach a client: stacks, SQL, network errors, internals of the planner. */
const INTERNAL = /\bat [\w.<>]+ \(|\.ts:\d+|\.js:\d+|\bselect\b.+\bfrom\b|\binsert into\b|\bupdate\b.+\bset\b|ECONNREFUSED|ECONNRESET|Was not able to find|undefined:|TypeError|ReferenceError|Cannot read propert|SQLSTATE|duplicate key|violates|mikro-orm|knex|pg_/i;

let sent = 0;
const answers: { what: string; status: number; text: string }[] = [];
/** What a category found wrong: collected, so one defect does not hide the others (asserted per category). */
let problems: string[] = [];
const check = (ok: boolean, what: string, detail: unknown = '') => {
  if (!ok) problems.push(`${what}${detail === '' ? '' : `: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`}`.slice(0, 400));
};
const codes = (res: { json?: any }): string[] => (res.json?.errors ?? []).map((e: any) => e?.extensions?.code);
beforeEach(() => {
  problems = [];
});
afterEach(() => {
  expect(problems).toEqual([]);
});

/** Sends one raw request and records what came back (checked once the tier has run). */
async function send(what: string, url: string, init: RequestInit): Promise<{ status: number; text: string; json?: any }> {
  sent++;
  let status: number;
  let text: string;
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
    status = res.status;
    text = await res.text();
  } catch (err) {
    status = 599; // the connection failed: as bad as a 5xx
    text = String(err);
  }
  answers.push({ what, status, text });
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, text, json };
}

const post = (what: string, body: unknown, options: { url?: string; token?: string; headers?: Record<string, string> } = {}) =>
  send(what, options.url ?? sg.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const op = (what: string, query: string, variables: Record<string, unknown> = {}, token?: string, url?: string) => post(what, { query, variables }, { token, url });

beforeAll(async () => {
  sg = await startSupergraph({ RATE_LIMIT_IP: '100000', RATE_LIMIT_USER: '100000' });
  users = await castOfUsers(sg.url);
  const reg = await graphql(sg.url, 'mutation { register(input: { email: "other@atrium.test", password: "correct-horse-battery", name: "Otto" }) { accessToken user { id } } }');
  other = { userId: reg.data!.register.user.id, accessToken: reg.data!.register.accessToken, refreshToken: '' };
  const location = await graphql(sg.url, 'mutation { createLocation(input: { name: "HQ", city: "Paris", address: "1 rue X", timezone: "Europe/Paris" }) { id } }', {}, { token: users.manager.accessToken });
  const ws = await graphql(
    sg.url,
    'mutation($l: ID!) { createWorkspace(input: { locationId: $l, name: "Desk 1", kind: DESK, capacity: 1, hourlyRate: { amount: 1000, currency: "EUR" } }) { id } }',
    { l: location.data!.createLocation.id },
    { token: users.manager.accessToken },
  );
  workspaceId = ws.data!.createWorkspace.id;
  const start = new Date(Date.now() + 3 * 86_400_000);
  start.setUTCMinutes(0, 0, 0);
  // booking learns about workspaces from catalog's events: book once it knows this one.
  bookingId = await waitFor(async () => {
    const booking = await graphql(
      sg.url,
      'mutation($input: CreateBookingInput!) { createBooking(input: $input) { id } }',
      { input: { workspaceId, startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 3_600_000).toISOString() } },
      { token: other.accessToken },
    );
    return booking.data?.createBooking?.id as string | undefined;
  }, { timeoutMs: 30_000, what: 'booking to know the workspace' });
  const prod = await sg.anotherGateway(PRODUCTION_GATEWAY);
  production = `${prod.url}/graphql`;
});

/** How the production-mode gateway of this tier is configured (Sandbox, introspection and suggestions off). */
const PRODUCTION_GATEWAY = { NODE_ENV: 'production', RATE_LIMIT_IP: '100000', RATE_LIMIT_USER: '100000' };

afterAll(async () => {
  await sg?.close();
});

describe('the hostile tier', () => {
  it('answers malformed HTTP requests with a 4xx', async () => {
    const bodies: [string, string, Record<string, string>?][] = [
      ['empty body', ''],
      ['not JSON', '{"query": '],
      ['JSON null', 'null'],
      ['JSON number', '42'],
      ['JSON string', '"{ __typename }"'],
      ['query is a number', '{"query": 1}'],
      ['query is an object', '{"query": {"a": 1}}'],
      ['variables is a string', '{"query": "{ __typename }", "variables": "x"}'],
      ['variables is an array', '{"query": "{ __typename }", "variables": [1]}'],
      ['extensions is a string', '{"query": "{ __typename }", "extensions": "x"}'],
      ['operationName is a number', '{"query": "{ __typename }", "operationName": 5}'],
      ['no query', '{"variables": {}}'],
      ['empty array batch', '[]'],
      ['batch of garbage', '[1, 2, 3]'],
      ['deeply nested JSON', `${'['.repeat(5000)}${']'.repeat(5000)}`],
      ['text/plain', '{ __typename }', { 'content-type': 'text/plain' }],
      ['form', 'query=%7B__typename%7D', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['unknown charset', '{"query": "{ __typename }"}', { 'content-type': 'application/json; charset=klingon' }],
      ['invalid UTF-8', '{"query": "{ \udc00 }"}'],
    ];
    for (const url of [sg.url, production]) {
      for (const [what, body, headers] of bodies) {
        const res = await send(what, url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
        check(res.status >= 400 && res.status < 500, `${what} → ${res.status}`, res.text.slice(0, 200));
      }
    }
    // Straight at the subgraphs, as anyone who reaches their ports could.
    for (const [name, subgraph] of Object.entries(sg.subgraphs)) {
      for (const [what, body, headers] of bodies) {
        const res = await send(`${name}: ${what}`, `${subgraph.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
        check(res.status < 500, `${name}: ${what} → ${res.status}`, res.text.slice(0, 200));
      }
    }
    const big = await send('1.5 MB body', sg.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ __typename } #${'x'.repeat(1_500_000)}` }) });
    check(big.status === 413, `1.5 MB body → ${big.status}`);
    const get = await send('mutation over GET', `${sg.url}?query=${encodeURIComponent('mutation { logout(refreshToken: "x") }')}`, { method: 'GET', headers: { 'apollo-require-preflight': 'true' } });
    check(get.status >= 400 && get.status < 500, `mutation over GET → ${get.status}`);
    const csrf = await send('simple GET without preflight header', `${sg.url}?query=${encodeURIComponent('{ __typename }')}`, { method: 'GET' });
    check(csrf.status === 400, `GET without preflight header → ${csrf.status}`);
  });

  it('answers broken, ambiguous and oversized operations with a 4xx and a code', async () => {
    const operations = [
      '{',
      '}',
      'query {',
      '{ workspaces(first: 1) { edges { node { name } }',
      '{ "string" }',
      '{ workspaces(first: ) { totalCount } }',
      'query Q { __typename } query Q { __typename }',
      'query A { __typename } query B { __typename }', // two operations, no operationName (D7)
      'fragment F on Query { __typename }',
      '{ ...Missing }',
      '{ ...F } fragment F on Query { ...F }',
      '{ nope }',
      '{ workspaces { nope } }',
      '{ workspaces(first: 1, nope: 1) { totalCount } }',
      '{ workspace(id: 1, id: 2) { name } }',
      `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: __typename`).join(' ')} }`, // __typename aliases count too
      `{ ${Array.from({ length: 40 }, (_, i) => `w${i}: workspaces(first: 1) { totalCount }`).join(' ')} }`,
      `{ ${'workspaces(first: 1) { edges { node { location { workspaces { '.repeat(6)} } }`,
      `{ __typename ${'@include(if: true) '.repeat(80)} }`,
      `{ ${'__typename '.repeat(3000)} }`,
      `query($v: Int) { ${'__typename '.repeat(5)} }`,
      'query($a: String!, $a: String!) { __typename }',
      'query($a: Nope) { __typename }',
      'mutation { nope }',
      '{ workspaces(filter: { kind: NOPE }) { totalCount } }',
      '{ workspaces(filter: { kind: desk }) { totalCount } }',
    ];
    for (const url of [sg.url, production]) {
      for (const query of operations) {
        const res = await post(query.slice(0, 60), { query }, { url });
        check(res.status >= 400 && res.status < 500 && typeof codes(res)[0] === 'string', `${query.slice(0, 60)} → ${res.status}`, res.text.slice(0, 200));
      }
    }
    // Valid, if odd: answered (no 5xx), refused where the caller may not.
    for (const query of [
      'subscription { bookingUpdated { id } }',
      '{ me { id } } # ' + 'x'.repeat(1000),
      '{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }',
      'mutation { __typename }',
      '{ a: __typename b: __typename }',
    ]) {
      const res = await post(query.slice(0, 60), { query });
      check(res.status < 500 && !codes(res).includes('INTERNAL_SERVER_ERROR'), `${query.slice(0, 60)} → ${res.status}`, res.text.slice(0, 200));
    }
    for (const [what, body] of [
      ['unknown operationName', { query: 'query A { __typename }', operationName: 'B' }],
      ['operationName of a fragment', { query: 'query A { __typename } fragment B on Query { __typename }', operationName: 'B' }],
      ['empty operationName', { query: 'query A { __typename } query B { __typename }', operationName: '' }],
    ] as const) {
      const res = await post(what, body);
      check(res.status === 400 && typeof codes(res)[0] === 'string', `${what} → ${res.status}`, res.text.slice(0, 200));
    }
  });

  it('refuses bad arguments as the caller\'s error, never as an outage', async () => {
    const member = users.member.accessToken;
    const admin = users.admin.accessToken;
    const availability = 'query($id: ID!, $from: DateTime!, $to: DateTime!) { workspace(id: $id) { name availability(from: $from, to: $to) { startsAt } } }';
    const dates = ['not-a-date', '2026-02-30T10:00:00Z', '+275760-09-13T00:00:00Z', '', '2026-13-01T00:00:00Z', '2026-01-01', '99999999999999', 'null', '2026-01-01T25:00:00Z', '\u0000'];
    for (const bad of dates) {
      for (const [from, to] of [[bad, '2027-01-01T00:00:00Z'], ['2027-01-01T00:00:00Z', bad]]) {
        const res = await op(`availability ${bad}`, availability, { id: workspaceId, from, to }, member);
        check(!codes(res).some((c) => c === 'SUBGRAPH_UNAVAILABLE' || c === 'INTERNAL_SERVER_ERROR'), `availability(${from}, ${to})`, codes(res));
      }
    }
    const stats = 'query($from: Date!, $to: Date!) { dailyStats(from: $from, to: $to) { date bookings } }';
    for (const [from, to] of [
      ['0001-01-01', '9999-12-31'],
      ['2026-02-30', '2026-03-01'],
      ['2027-01-01', '2026-01-01'],
      ['not-a-date', '2026-01-01'],
      ['2026-01-01T00:00:00Z', '2026-01-02'],
      ['-0001-01-01', '2026-01-01'],
    ]) {
      const res = await op(`dailyStats ${from}..${to}`, stats, { from, to }, admin);
      check(codes(res).includes('BAD_USER_INPUT'), `dailyStats(${from}, ${to})`, res.text.slice(0, 200));
    }
    const strings = ['a\u0000b', '\ud800', 'x\udfffy', 'ok\u0000', '\u0000'.repeat(50)];
    for (const s of strings) {
      const reg = await op(`register name ${JSON.stringify(s)}`, 'mutation($i: RegisterInput!) { register(input: $i) { accessToken } }', { i: { email: `${randomUUID()}@atrium.test`, password: 'correct-horse-battery', name: s } });
      check(codes(reg)[0] === 'BAD_USER_INPUT', `register name ${JSON.stringify(s)}`, reg.text.slice(0, 200));
      const search = await op(`search text ${JSON.stringify(s)}`, 'query($t: String) { workspaces(filter: { text: $t }, first: 2) { totalCount } }', { t: s }, member);
      check(codes(search)[0] === 'BAD_USER_INPUT', `search text ${JSON.stringify(s)}`, search.text.slice(0, 200));
      const cancel = await op(`cancel reason ${JSON.stringify(s)}`, 'mutation($id: ID!, $r: String) { cancelBooking(id: $id, reason: $r) { id } }', { id: bookingId, r: s }, member);
      check(codes(cancel)[0] === 'BAD_USER_INPUT', `cancel reason ${JSON.stringify(s)}`, cancel.text.slice(0, 200));
    }
    const cursors = ['nope', '', 'YWJj', Buffer.from('{"x":1}').toString('base64'), Buffer.from('workspace:not-a-uuid').toString('base64'), 'A'.repeat(5000), '\u0000', '%%%'];
    for (const after of cursors) {
      for (const [what, query, token] of [
        ['workspaces after', 'query($a: String) { workspaces(first: 2, after: $a) { totalCount } }', member],
        ['users after', 'query($a: String) { users(first: 2, after: $a) { totalCount } }', admin],
        ['bookings after', 'query($a: String) { me { bookings(first: 2, after: $a) { totalCount } } }', member],
        ['activity after', 'query($a: String) { activityLog(first: 2, after: $a) { totalCount } }', admin],
      ] as const) {
        const res = await op(`${what} ${after.slice(0, 20)}`, query, { a: after }, token);
        check(!codes(res).includes('INTERNAL_SERVER_ERROR') && res.status < 500, `${what} ${JSON.stringify(after.slice(0, 20))}`, res.text.slice(0, 200));
      }
    }
    const ids = ['not-a-uuid', '', '00000000-0000-0000-0000-000000000000', "1' or '1'='1", 'x'.repeat(10_000)];
    for (const id of ids) {
      for (const query of ['query($id: ID!) { workspace(id: $id) { name } }', 'query($id: ID!) { booking(id: $id) { status } }', 'query($id: ID!) { user(id: $id) { name } }']) {
        const res = await op(`id ${id.slice(0, 20)}`, query, { id }, admin);
        check(!codes(res).includes('INTERNAL_SERVER_ERROR') && res.status < 500, `id ${JSON.stringify(id.slice(0, 20))} in ${query}`, res.text.slice(0, 200));
      }
    }
    for (const first of [-1, 0, 1_000_000, 2 ** 31 - 1]) {
      const res = await op(`first ${first}`, 'query($f: Int) { workspaces(first: $f) { totalCount } }', { f: first }, member);
      check(res.status < 500 && !codes(res).includes('INTERNAL_SERVER_ERROR'), `first: ${first}`, res.text.slice(0, 200));
    }
    for (const variables of [{ f: 2 ** 40 }, { f: 1.5 }, { f: '1' }, { f: [1] }, { f: { a: 1 } }, { f: true }]) {
      const res = await op('first of the wrong type', 'query($f: Int) { workspaces(first: $f) { totalCount } }', variables, member);
      check(res.status === 400, `first: ${JSON.stringify(variables.f)} → ${res.status}`);
    }
  });

  it('gives forged, expired and foreign tokens nothing, and nobody another member\'s data', async () => {
    const issuer = await createTestIssuer();
    const forged = [
      'garbage',
      'a.b.c',
      `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: users.admin.userId, roles: ['ADMIN'] })).toString('base64url')}.`,
      await issuer.token({ userId: users.admin.userId, roles: ['ADMIN'] }), // a key identity never published
      users.member.accessToken.slice(0, -4) + 'AAAA', // a broken signature
      users.member.accessToken.split('.').slice(0, 2).join('.') + '.',
      'x'.repeat(10_000),
    ];
    for (const token of forged) {
      for (const query of ['{ me { id email } }', '{ users(first: 5) { totalCount } }', '{ activityLog(first: 1) { totalCount } }']) {
        const res = await op('forged token', query, {}, token);
        check(res.status === 401 || res.status === 200, `forged token → ${res.status}`);
        check(!/@atrium\.test/.test(JSON.stringify(res.json?.data ?? null)), 'a forged token saw an e-mail', res.text.slice(0, 200));
      }
    }
    for (const header of ['Bearer', 'Basic abc', 'Bearer  ', `Bearer ${users.member.accessToken} extra`, 'Bearer \u00e9t\u00e9']) {
      const res = await send('malformed Authorization', sg.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: header }, body: JSON.stringify({ query: '{ me { id } }' }) });
      check(res.status < 500, `Authorization ${JSON.stringify(header.slice(0, 20))} → ${res.status}`);
    }
    // A member: another member's booking is not theirs to see, pay or cancel.
    const member = users.member.accessToken;
    const seen = await op('another member\'s booking', 'query($id: ID!) { booking(id: $id) { id user { email } } }', { id: bookingId }, member);
    check((seen.json?.data?.booking ?? null) === null, 'a member saw another member\'s booking', seen.text.slice(0, 200));
    const cancel = await op('cancel another member\'s booking', 'mutation($id: ID!) { cancelBooking(id: $id) { id } }', { id: bookingId }, member);
    check(/NOT_FOUND|FORBIDDEN/.test(codes(cancel)[0] ?? ''), 'a member cancelled another member\'s booking', cancel.text.slice(0, 200));
    const pay = await op(
      'pay another member\'s booking',
      'mutation($b: ID!) { payForBooking(input: { bookingId: $b, card: { number: "4242424242424242", expMonth: 12, expYear: 2030, cvc: "123" } }) { status } }',
      { b: bookingId },
      member,
    );
    check(/NOT_FOUND|FORBIDDEN/.test(codes(pay)[0] ?? ''), 'a member paid another member\'s booking', pay.text.slice(0, 200));
    // A refusal nulls only the refused field (D15).
    const mixed = await op('member asks for users', '{ me { id } users(first: 1) { totalCount } dailyStats(from: "2026-01-01", to: "2026-01-02") { date } activityLog(first: 1) { totalCount } }', {}, member);
    check(JSON.stringify(mixed.json?.data) === JSON.stringify({ me: { id: users.member.userId }, users: null, dailyStats: null, activityLog: null }), 'a refusal nulled more than the refused fields', mixed.text.slice(0, 300));
    const roles = await op('member promotes itself', 'mutation($id: ID!) { setUserRoles(userId: $id, roles: [ADMIN]) { roles } }', { id: users.member.userId }, member);
    check(codes(roles)[0] === 'FORBIDDEN', 'a member promoted itself', roles.text.slice(0, 200));
  });

  it('counts credential mutations per operation, aliases included', async () => {
    const aliased = `mutation { ${Array.from({ length: 15 }, (_, i) => `r${i}: register(input: { email: "flood${i}-${randomUUID()}@atrium.test", password: "correct-horse-battery", name: "F" }) { accessToken }`).join(' ')} }`;
    const gateway = await sg.anotherGateway({ RATE_LIMIT_PREFIX: `hostile:${randomUUID()}`, RATE_LIMIT_LOGIN_IP: '5', RATE_LIMIT_IP: '100000' });
    const res = await op('15 aliased registers', aliased, {}, undefined, `${gateway.url}/graphql`);
    check(res.status === 429 && codes(res)[0] === 'RATE_LIMITED', `15 aliased registers → ${res.status}`, res.text.slice(0, 200));
  });

  it('tells a production client nothing about the schema it may not see', async () => {
    const probes = [
      '{ workspaces(first: 1) { totalCoun } }',
      '{ workspace(id: "x") { nam } }',
      '{ workspaces(filter: { kind: DESKS }) { totalCount } }',
      '{ worksp }',
      '{ __schema { types { name } } }',
      '{ __type(name: "User") { fields { name } } }',
    ];
    for (const query of probes) {
      const res = await post(`production: ${query}`, { query }, { url: production });
      check(res.status === 400, `production ${query} → ${res.status}`);
      check(!/Did you mean/i.test(res.text), `production ${query} suggests`, res.text.slice(0, 200));
      check(!/totalCount|DESK"|"name"/.test(res.text), `production ${query} names the schema`, res.text.slice(0, 200));
    }
    const landing = await send('production Sandbox', production, { method: 'GET', headers: { accept: 'text/html' } });
    check(!/embeddable-sandbox/i.test(landing.text), 'production serves Sandbox');
    // Over the WebSocket too.
    const wsUrl = production.replace(/^http/, 'ws');
    for (const query of ['subscription { bookingUpdatd { id } }', 'subscription { bookingUpdated { statu } }']) {
      sent++;
      const text = await new Promise<string>((resolve) => {
        const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
        const got: string[] = [];
        socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${users.member.accessToken}` } })));
        socket.on('message', (data) => {
          const message = JSON.parse(String(data));
          got.push(String(data));
          if (message.type === 'connection_ack') socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
          if (message.type === 'error' || message.type === 'complete') socket.close();
        });
        socket.on('close', () => resolve(got.join('\n')));
        socket.on('error', () => resolve(got.join('\n')));
      });
      // Each frame an answer of its own; an `error` frame's payload is its list of errors.
      for (const frame of text.split('\n').filter(Boolean)) {
        const message = JSON.parse(frame);
        answers.push({ what: `production ws: ${query}`, status: 200, text: JSON.stringify(message.type === 'error' ? { errors: message.payload } : message) });
      }
      check(/"type":"error"/.test(text), `production ws ${query} was not refused`, text.slice(0, 200));
      check(!/Did you mean/i.test(text), `production ws ${query} suggests`, text.slice(0, 200));
    }
  });

  it('never lets a request do more than its limits allow over the WebSocket', async () => {
    const wsUrl = sg.url.replace(/^http/, 'ws');
    sent++;
    const closed = await new Promise<number>((resolve) => {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(3_000_000) } })));
      // Accepted: the gateway read the whole frame (what this test refuses); say so and hang up.
      socket.on('message', () => {
        resolve(0);
        socket.close();
      });
      socket.on('close', (code) => resolve(code));
      socket.on('error', () => undefined);
    });
    check(closed === 1009, `a 3 MB WebSocket frame → close code ${closed}`);
  });

  it('sent at least 300 requests, got no 5xx and no internal text, and left every service ready', async () => {
    expect(sent).toBeGreaterThanOrEqual(300);
    const serverErrors = answers.filter((a) => a.status >= 500).map((a) => `${a.what}: ${a.status} ${a.text.slice(0, 200)}`);
    expect(serverErrors).toEqual([]);
    const leaks = answers.filter((a) => INTERNAL.test(a.text)).map((a) => `${a.what}: ${a.text.match(INTERNAL)?.[0]} in ${a.text.slice(0, 300)}`);
    expect(leaks).toEqual([]);
    const uncoded = answers
      .filter((a) => a.text.startsWith('{'))
      .flatMap((a) => (JSON.parse(a.text).errors ?? []).filter((e: any) => typeof e?.extensions?.code !== 'string').map(() => a.what));
    expect(uncoded).toEqual([]);
    for (const service of [sg.gateway, ...Object.values(sg.subgraphs)]) {
      expect((await fetch(`${service.url}/ready`)).status).toBe(200);
    }
  });
});
