import { createTestIssuer, errorCodes, freePort, graphql, subscribe, type TestIssuer } from '@atrium/kit/testing';
import WebSocket from 'ws';
import { DEMO_ACCOUNTS, EXTRA_MEMBERS } from '../../../scripts/lib/seed-plan';
import { scrape, startForeignSupergraph, type ForeignSupergraph } from '../testing/foreign-supergraph';
import { PRODUCTION_ENV, suiteGateways } from '../testing/start-gateway';

let foreign: ForeignSupergraph;
let issuer: TestIssuer;
let jwks: { url: string; close(): Promise<void> };

const gateways = suiteGateways(() => ({ ...foreign.env, JWKS_URL: jwks.url }));
const startGateway = gateways.start;

/** An access token for `userId`, as identity would sign it. */
const token = (userId: string) => issuer.token({ userId });

beforeAll(async () => {
  issuer = await createTestIssuer();
  jwks = await issuer.serveJwks();
  foreign = await startForeignSupergraph({ p1Stars: [5] });
});

afterAll(async () => {
  await gateways.closeAll();
  await foreign?.close();
  await jwks?.close();
});

describe('query limits', () => {
  const nested = (depth: number) => `{ products { ${'related { '.repeat(depth - 2)}id${' }'.repeat(depth - 2)} } }`;

  it('rejects a query deeper than GRAPHQL_MAX_DEPTH with a 400 GRAPHQL_VALIDATION_FAILED, without calling any subgraph', async () => {
    const gateway = await startGateway();
    expect((await graphql(`${gateway.url}/graphql`, nested(12))).errors).toBeUndefined();
    const before = foreign.received.length;
    const res = await graphql(`${gateway.url}/graphql`, nested(14));
    expect(res.status).toBe(400);
    expect(errorCodes(res)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(res.errors?.[0].message).toMatch(/depth/i);
    expect(foreign.received.length).toBe(before);
  });

  it('rejects more aliases than GRAPHQL_MAX_ALIASES', async () => {
    const gateway = await startGateway();
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: products { id }`).join(' ')} }`;
    expect((await graphql(`${gateway.url}/graphql`, aliases(15))).errors).toBeUndefined();
    const before = foreign.received.length;
    const res = await graphql(`${gateway.url}/graphql`, aliases(16));
    expect(res.status).toBe(400);
    expect(errorCodes(res)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(res.errors?.[0].message).toMatch(/aliases/i);
    expect(foreign.received.length).toBe(before);
  });

  it('rejects an operation costlier than GRAPHQL_MAX_COST or longer than GRAPHQL_MAX_TOKENS', async () => {
    const gateway = await startGateway({ GRAPHQL_MAX_COST: '20', GRAPHQL_MAX_TOKENS: '40' });
    const costly = await graphql(`${gateway.url}/graphql`, '{ products { related { related { related { id name } } } } }');
    expect(costly.status).toBe(400);
    expect(errorCodes(costly)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(costly.errors?.[0].message).toMatch(/cost/i);
    const long = await graphql(`${gateway.url}/graphql`, `{ ${Array.from({ length: 30 }, () => 'products { id }').join(' ')} }`);
    expect(long.status).toBe(400);
    expect(errorCodes(long)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(long.errors?.[0].message).toMatch(/token/i);
  });

  it('hides field suggestions in production only', async () => {
    const dev = await startGateway();
    const prod = await startGateway(PRODUCTION_ENV);
    expect((await graphql(`${dev.url}/graphql`, '{ product { id } }')).errors?.[0].message).toMatch(/Did you mean/);
    const res = await graphql(`${prod.url}/graphql`, '{ product { id } }');
    expect(errorCodes(res)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(res.errors?.[0].message).not.toMatch(/Did you mean/);
  });

  it('hides enum value suggestions in production, in literals and in variables', async () => {
    const dev = await startGateway();
    const prod = await startGateway(PRODUCTION_ENV);
    const literal = '{ products(order: NAM) { id } }';
    const variable = ['query($o: Order) { products(order: $o) { id } }', { o: 'NAM' }] as const;
    expect((await graphql(`${dev.url}/graphql`, literal)).errors?.[0].message).toMatch(/Did you mean the enum value "NAME"/);
    expect((await graphql(`${dev.url}/graphql`, ...variable)).errors?.[0].message).toMatch(/Did you mean the enum value "NAME"/);
    for (const res of [await graphql(`${prod.url}/graphql`, literal), await graphql(`${prod.url}/graphql`, ...variable)]) {
      expect(res.errors).toHaveLength(1);
      expect(res.errors?.[0].message).toMatch(/"NAM"/);
      expect(res.errors?.[0].message).not.toMatch(/Did you mean|"NAME"|PRICE/);
    }
  });

  it('hides every suggestion over WebSocket in production too', async () => {
    const dev = await startGateway();
    const prod = await startGateway(PRODUCTION_ENV);
    const refusal = async (url: string, query: string) => {
      const sub = subscribe(`${url}/graphql`, query);
      const ended = await sub.ended;
      await sub.close();
      expect(ended.completed).toBe(false);
      return ((ended as { error: { message: string }[] }).error ?? []).map((e) => e.message).join(' | ');
    };
    for (const query of ['{ product { id } }', '{ products(order: NAM) { id } }', '{ products { nam } }']) {
      expect(await refusal(dev.url, query)).toMatch(/Did you mean/);
      expect(await refusal(prod.url, query)).not.toMatch(/Did you mean/);
    }
  });

  it('counts __typename aliases against GRAPHQL_MAX_ALIASES', async () => {
    const gateway = await startGateway();
    const typenames = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `t${i}: __typename`).join(' ')} }`;
    expect((await graphql(`${gateway.url}/graphql`, typenames(15))).errors).toBeUndefined();
    const res = await graphql(`${gateway.url}/graphql`, typenames(16));
    expect(res.status).toBe(400);
    expect(errorCodes(res)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(res.errors?.[0].message).toMatch(/aliases/i);
  });

  it('closes a WebSocket whose frame is larger than REQUEST_MAX_BYTES (1009), as it answers such a body with 413', async () => {
    const gateway = await startGateway({ REQUEST_MAX_BYTES: '1000' });
    const socket = new WebSocket(`${gateway.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const frames: { id?: string; type: string }[] = [];
    let onFrame = () => {};
    socket.on('message', (data) => {
      frames.push(JSON.parse(String(data)));
      onFrame();
    });
    const frame = (test: (f: { id?: string; type: string }) => boolean) =>
      new Promise<void>((resolve) => {
        onFrame = () => frames.some(test) && resolve();
        onFrame();
      });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    await frame((f) => f.type === 'connection_ack');
    const subscribe = (pad: number) =>
      JSON.stringify({ id: String(pad), type: 'subscribe', payload: { query: '{ products { id } }', variables: { pad: 'x'.repeat(pad) } } });
    expect(Buffer.byteLength(subscribe(800))).toBeLessThan(1000);
    socket.send(subscribe(800)); // within the limit: answered
    await frame((f) => f.id === '800' && f.type === 'next');
    socket.send(subscribe(2000));
    // Closed, rather than answered (as ws's default 100 MiB limit would have it).
    const outcome = await Promise.race([closed.then((code) => ({ closed: code })), frame((f) => f.id === '2000').then(() => ({ answered: true }))]);
    expect(outcome).toEqual({ closed: 1009 });
  });

  it('answers a body larger than REQUEST_MAX_BYTES with a JSON 413', async () => {
    const gateway = await startGateway({ REQUEST_MAX_BYTES: '1000' });
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ products { id } }', variables: { pad: 'x'.repeat(2000) } }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ errors: [{ message: expect.stringMatching(/1000 bytes/), extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  });
});

describe('rate limits', () => {
  it('gives an anonymous IP RATE_LIMIT_IP requests per window, then 429 RATE_LIMITED with Retry-After', async () => {
    const gateway = await startGateway({ RATE_LIMIT_IP: '3' });
    for (let i = 0; i < 3; i++) expect((await graphql(`${gateway.url}/graphql`, '{ products { id } }')).status).toBe(200);
    const res = await graphql(`${gateway.url}/graphql`, '{ products { id } }');
    expect(res.status).toBe(429);
    expect(errorCodes(res)).toEqual(['RATE_LIMITED']);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.errors?.[0].message).toBe(`Too many requests: retry in ${retryAfter}s`);
  });

  it('counts an anonymous caller by its address through TRUST_PROXY, whether Express serves the request (a browser) or not', async () => {
    const url = (gateway: { url: string }) => `${gateway.url}/graphql`;
    const from = (address: string, browser: boolean) => ({ headers: { 'x-forwarded-for': address, ...(browser ? { origin: 'http://127.0.0.1' } : {}) } });
    const limited = async (gateway: { url: string }, address: string, browser: boolean) =>
      (await graphql(url(gateway), '{ products { id } }', {}, from(address, browser))).status === 429;
    for (const browser of [false, true]) {
      // Behind one trusted proxy: each forwarded address has a budget of its own.
      const proxied = await startGateway({ RATE_LIMIT_IP: '2', TRUST_PROXY: '1' });
      expect([await limited(proxied, '10.0.0.1', browser), await limited(proxied, '10.0.0.1', browser), await limited(proxied, '10.0.0.1', browser)]).toEqual([false, false, true]);
      expect(await limited(proxied, '10.0.0.2', browser)).toBe(false);
      // Trusting no proxy: X-Forwarded-For is the caller's word, and every request counts against the socket's address.
      const direct = await startGateway({ RATE_LIMIT_IP: '2', TRUST_PROXY: 'false' });
      expect([await limited(direct, '10.0.0.1', browser), await limited(direct, '10.0.0.2', browser), await limited(direct, '10.0.0.3', browser)]).toEqual([false, false, true]);
    }
  });

  it('gives each signed-in user a budget of their own', async () => {
    const gateway = await startGateway({ RATE_LIMIT_USER: '3', RATE_LIMIT_IP: '3' });
    const [alice, bob] = [await token('alice'), await token('bob')];
    for (let i = 0; i < 3; i++) expect((await graphql(`${gateway.url}/graphql`, '{ products { id } }', {}, { token: alice })).status).toBe(200);
    expect(errorCodes(await graphql(`${gateway.url}/graphql`, '{ products { id } }', {}, { token: alice }))).toEqual(['RATE_LIMITED']);
    expect((await graphql(`${gateway.url}/graphql`, '{ products { id } }', {}, { token: bob })).status).toBe(200);
    expect((await graphql(`${gateway.url}/graphql`, '{ products { id } }')).status).toBe(200); // the IP's anonymous budget
  });

  it('limits each account to RATE_LIMIT_LOGIN credential operations, through fragments too, apart from other accounts and requests', async () => {
    const gateway = await startGateway({ RATE_LIMIT_LOGIN: '2' });
    const login = 'mutation Login { login(email: "a@b.c") }';
    expect((await graphql(`${gateway.url}/graphql`, login)).data).toEqual({ login: 'session' });
    expect((await graphql(`${gateway.url}/graphql`, login)).status).toBe(200);
    const res = await graphql(`${gateway.url}/graphql`, 'mutation { ...Creds } fragment Creds on Mutation { login(email: "A@B.c") }');
    expect(res.status).toBe(429);
    expect(errorCodes(res)).toEqual(['RATE_LIMITED']);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await graphql(`${gateway.url}/graphql`, 'mutation { login(email: "other@b.c") }')).data).toEqual({ login: 'session' });
    expect((await graphql(`${gateway.url}/graphql`, '{ products { id } }')).status).toBe(200);
  });

  it('counts every aliased credential field against the IP budget and refuses the whole operation over it, calling no subgraph', async () => {
    const gateway = await startGateway({ RATE_LIMIT_LOGIN_IP: '10' });
    const registers = (n: number, from = 0) =>
      `mutation { ${Array.from({ length: n }, (_, i) => `r${i}: register(input: { email: "user${from + i}@x.y" })`).join(' ')} }`;
    const before = foreign.received.length;
    const fifteen = await graphql(`${gateway.url}/graphql`, registers(15));
    expect(fifteen.status).toBe(429);
    expect(errorCodes(fifteen)).toEqual(['RATE_LIMITED']);
    expect(fifteen.data ?? null).toBeNull();
    expect(foreign.received.length).toBe(before);
  });

  it('spends the IP budget field by field: 6 aliased logins after 5 go over a budget of 10', async () => {
    const gateway = await startGateway({ RATE_LIMIT_LOGIN_IP: '10' });
    const logins = (n: number, from: number) => `mutation { ${Array.from({ length: n }, (_, i) => `l${i}: login(email: "u${from + i}@x.y")`).join(' ')} }`;
    const five = await graphql(`${gateway.url}/graphql`, logins(5, 0));
    expect(five.status).toBe(200);
    expect(Object.keys(five.data ?? {})).toHaveLength(5);
    expect(errorCodes(await graphql(`${gateway.url}/graphql`, logins(6, 5)))).toEqual(['RATE_LIMITED']);
  });

  it('refuses batched requests (batching is off), so a batch cannot carry credential operations past the count', async () => {
    const gateway = await startGateway();
    const before = foreign.received.length;
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ query: `mutation { login(email: "batch${i}@x.y") }` }))),
    });
    expect(res.status).toBe(400);
    expect(foreign.received.length).toBe(before);
  });

  it('lets the admin sign in right after a seed run (twice over) from the same address, with the default limits', async () => {
    const gateway = await startGateway();
    // What `npm run seed` sends: a register per demo account, the admin's and the manager's
    // logins; a second run signs each existing account in after its register fails.
    const accounts = [...Object.values(DEMO_ACCOUNTS), ...EXTRA_MEMBERS].map((a) => a.email);
    for (let run = 0; run < 2; run++) {
      for (const email of ['admin@atrium.local', DEMO_ACCOUNTS.manager.email]) {
        expect((await graphql(`${gateway.url}/graphql`, 'mutation($e: String!) { login(email: $e) }', { e: email })).status).toBe(200);
      }
      for (const email of accounts) {
        expect((await graphql(`${gateway.url}/graphql`, 'mutation($i: AccountInput!) { register(input: $i) }', { i: { email } })).status).toBe(200);
        if (run > 0) expect((await graphql(`${gateway.url}/graphql`, 'mutation($e: String!) { login(email: $e) }', { e: email })).status).toBe(200);
      }
    }
    const admin = await graphql(`${gateway.url}/graphql`, 'mutation { login(email: "admin@atrium.local") }');
    expect(admin.errors).toBeUndefined();
    expect(admin.data).toEqual({ login: 'session' });
  });

  it('lets requests through while Redis is unreachable, stays ready, and reports Redis down on /status and /metrics', async () => {
    const gateway = await startGateway({ REDIS_URL: `redis://127.0.0.1:${await freePort()}`, RATE_LIMIT_IP: '1' });
    for (let i = 0; i < 3; i++) expect((await graphql(`${gateway.url}/graphql`, '{ products { id } }')).status).toBe(200);
    const ready = await fetch(`${gateway.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
    expect(await (await fetch(`${gateway.url}/status`)).json()).toMatchObject({ ready: true, redis: 'down', subgraphs: { products: 'up', reviews: 'up' } });
    expect((await scrape(gateway))('atrium_dependency_up{service="gateway",dependency="redis"}')).toBe(0);
  });

  it('is off with RATE_LIMIT=off and APQ=memory, and /status does not check Redis then', async () => {
    const gateway = await startGateway({ RATE_LIMIT: 'off', APQ: 'memory', RATE_LIMIT_IP: '1' });
    for (let i = 0; i < 3; i++) expect((await graphql(`${gateway.url}/graphql`, '{ products { id } }')).status).toBe(200);
    expect((await (await fetch(`${gateway.url}/ready`)).json())).toEqual({ ready: true });
    expect(await (await fetch(`${gateway.url}/status`)).json()).not.toHaveProperty('redis');
  });
});

describe('circuit breaker', () => {
  it('opens after repeated failures of a subgraph, fails fast without calling it, and closes once it is back', async () => {
    const port = await freePort();
    const gateway = await startGateway({
      SUBGRAPH_REVIEWS_URL: `http://127.0.0.1:${port}/`,
      CIRCUIT_VOLUME_THRESHOLD: '2',
      CIRCUIT_RESET_MS: '1000',
    });
    const query = 'query ProductReviews { products { name reviews { stars } } }';
    const failed = 'atrium_subgraph_requests_total{subgraph="reviews",status="error"}';
    const open = 'atrium_subgraph_circuit_open{subgraph="reviews"}';
    for (let i = 0; i < 2; i++) expect(errorCodes(await graphql(`${gateway.url}/graphql`, query))).toContain('SUBGRAPH_UNAVAILABLE');
    expect((await scrape(gateway))(failed)).toBe(2);

    // Open: the subgraph is not called any more.
    for (let i = 0; i < 3; i++) {
      const res = await graphql(`${gateway.url}/graphql`, query);
      // One error per product whose reviews are missing, each at its path.
      expect(res.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
        [['products', 0, 'reviews'], 'SUBGRAPH_UNAVAILABLE'],
        [['products', 1, 'reviews'], 'SUBGRAPH_UNAVAILABLE'],
      ]);
      expect(res.errors?.[0].message).toMatch(/^subgraph reviews is unavailable \(circuit open, retrying in 1s\)$/);
    }
    let metrics = await scrape(gateway);
    expect(metrics(failed)).toBe(2);
    expect(metrics(open)).toBe(1);
    expect(metrics('atrium_subgraph_circuit_open{subgraph="products"}')).toBe(0);
    expect(await (await fetch(`${gateway.url}/status`)).json()).toMatchObject({ circuits: { products: 'closed', reviews: 'open' } });

    // Back: after CIRCUIT_RESET_MS a trial fetch goes through and closes the circuit.
    await foreign.serve('reviews', port);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const res = await graphql(`${gateway.url}/graphql`, query);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ products: [{ name: 'Lamp', reviews: [{ stars: 5 }] }, { name: 'Chair', reviews: [] }] });
    metrics = await scrape(gateway);
    expect(metrics(open)).toBe(0);
    expect(metrics('atrium_subgraph_requests_total{subgraph="reviews",status="ok"}')).toBe(1);
  });

  it('does not open on GraphQL errors a subgraph answers with', async () => {
    const gateway = await startGateway({ CIRCUIT_VOLUME_THRESHOLD: '1' });
    // A resolver error is a GraphQL error in a 200 answer: the subgraph is up.
    for (let i = 0; i < 3; i++) expect((await graphql(`${gateway.url}/graphql`, '{ broken }')).errors).toHaveLength(1);
    const metrics = await scrape(gateway);
    expect(metrics('atrium_subgraph_requests_total{subgraph="products",status="error"}')).toBe(3);
    expect(metrics('atrium_subgraph_circuit_open{subgraph="products"}')).toBe(0);
    expect((await graphql(`${gateway.url}/graphql`, '{ products { id } }')).errors).toBeUndefined();
  });
});
