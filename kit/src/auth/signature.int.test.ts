import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { ConfigError, loadConfig, subgraphEnv } from '../config';
import { createSubgraph, type Subgraph } from '../subgraph/create-subgraph';
import { createTestDatabase, createTestEvents, testLogger, type TestDatabase, type TestEvents } from '../testing';
import { handshakeSigningInput, SIGNATURE_HEADER, signatureFor } from './signature';

// kit's signature check on a real subgraph (createSubgraph: its database, Redis, HTTP and
// WebSocket servers) in production mode, with two secrets listed as during a rotation.
const NEW = randomBytes(32).toString('hex');
const OLD = randomBytes(32).toString('hex');
const RETIRED = randomBytes(32).toString('hex');

const schema = buildSubgraphSchema({
  typeDefs: parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
    type Query { ping: String! }
    type Subscription { tick: Int! }
    type Thing @key(fields: "id") { id: ID! secret: String! }`),
  resolvers: {
    Query: { ping: () => 'pong' },
    Subscription: {
      tick: {
        subscribe: async function* () {
          yield { tick: 1 };
        },
      },
    },
    Thing: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, secret: `secret of ${ref.id}` }) },
  },
});

let db: TestDatabase;
let events: TestEvents;
let subgraph: Subgraph;

const env = () => ({ DATABASE_URL: db.url, PORT: '0', ...events.env, PUBSUB_PREFIX: `${events.env.JOBS_PREFIX}:live`, NODE_ENV: 'production' });
const start = (extra: Record<string, string>) =>
  createSubgraph({ name: 'signed', config: loadConfig(subgraphEnv(0, 'unused'), { ...env(), ...extra }), schema, entities: [], migrations: [], log: testLogger() });

beforeAll(async () => {
  db = await createTestDatabase('signature');
  events = createTestEvents('signature');
  subgraph = await start({ SUBGRAPH_SIGNING_SECRETS: `${NEW},${OLD}` });
});

afterAll(async () => {
  await subgraph?.close();
  await events?.close();
  await db?.drop();
});

const SERVICE = JSON.stringify({ query: '{ _service { sdl } }' });
const ENTITIES = JSON.stringify({
  query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Thing { secret } } }',
  variables: { r: [{ __typename: 'Thing', id: 't1' }] },
});

async function post(body: string, signature?: string) {
  const res = await fetch(`${subgraph.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { [SIGNATURE_HEADER]: signature } : {}) },
    body,
  });
  return { status: res.status, body: (await res.json()) as { data?: Record<string, any>; errors?: { message: string; extensions?: { code?: string } }[] } };
}

const refusedWith = (res: Awaited<ReturnType<typeof post>>, reason: RegExp) => {
  expect(res.status).toBe(401);
  expect(res.body.data).toBeUndefined();
  expect(res.body.errors).toEqual([{ message: expect.stringMatching(/^This subgraph answers only the gateway: /), extensions: { code: 'UNAUTHENTICATED' } }]);
  expect(res.body.errors?.[0].message).toMatch(reason);
};

describe('a subgraph that requires signatures (production)', () => {
  it('answers requests signed with its current secret, `_service` and `_entities` included', async () => {
    expect(await post(JSON.stringify({ query: '{ ping }' }), signatureFor(JSON.stringify({ query: '{ ping }' }), NEW))).toEqual({ status: 200, body: { data: { ping: 'pong' } } });
    const sdl = await post(SERVICE, signatureFor(SERVICE, NEW));
    expect(sdl.status).toBe(200);
    expect(sdl.body.data?._service.sdl).toMatch(/type Thing/);
    expect((await post(ENTITIES, signatureFor(ENTITIES, NEW))).body).toEqual({ data: { _entities: [{ secret: 'secret of t1' }] } });
  });

  it('answers requests signed with a secret still listed during a rotation', async () => {
    expect((await post(ENTITIES, signatureFor(ENTITIES, OLD))).body).toEqual({ data: { _entities: [{ secret: 'secret of t1' }] } });
  });

  it('refuses unsigned requests with 401 and a GraphQL error, `_service` and `_entities` included', async () => {
    refusedWith(await post(SERVICE), /not signed/);
    refusedWith(await post(ENTITIES), /not signed/);
    refusedWith(await post(JSON.stringify({ query: '{ ping }' })), /not signed/);
  });

  it('refuses a bad signature, a body other than the one signed, a stale timestamp and a rotated-out secret', async () => {
    refusedWith(await post(SERVICE, 't=1,v1=nothex'), /malformed/);
    refusedWith(await post(SERVICE, signatureFor(SERVICE, NEW).replace(/v1=(.)/, (_, d: string) => `v1=${d === '0' ? '1' : '0'}`)), /does not match/);
    refusedWith(await post(ENTITIES, signatureFor(SERVICE, NEW)), /does not match/);
    refusedWith(await post(SERVICE, signatureFor(SERVICE, NEW, Date.now() - 5 * 60_000)), /timestamp/);
    refusedWith(await post(SERVICE, signatureFor(SERVICE, RETIRED)), /does not match/);
  });

  it('refuses GET, whose operation is in the URL, outside any signature', async () => {
    const res = await fetch(`${subgraph.url}/graphql?query=${encodeURIComponent('{ _service { sdl } }')}`, {
      headers: { 'apollo-require-preflight': 'true', [SIGNATURE_HEADER]: signatureFor('', NEW) },
    });
    expect(res.status).toBe(401);
    expect(JSON.stringify(await res.json())).not.toMatch(/type Thing/);
  });

  it('refuses a WebSocket upgrade without the gateway\'s signed handshake, with 401', async () => {
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(`${subgraph.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { headers });
        socket.once('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          socket.terminate();
        });
        socket.once('open', () => {
          resolve(101);
          socket.close();
        });
        socket.once('error', (err) => (err.message.includes('401') ? undefined : reject(err)));
      });
    expect(await status({})).toBe(401);
    expect(await status({ [SIGNATURE_HEADER]: signatureFor(handshakeSigningInput('/other'), NEW) })).toBe(401);
    expect(await status({ [SIGNATURE_HEADER]: signatureFor(handshakeSigningInput('/graphql'), RETIRED) })).toBe(401);
    expect(await status({ [SIGNATURE_HEADER]: signatureFor(handshakeSigningInput('/graphql'), NEW, Date.now() - 5 * 60_000) })).toBe(401);
  });

  it('serves subscriptions over a signed handshake, and closes a frame over 1 MiB with 1009', async () => {
    const socket = new WebSocket(`${subgraph.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', {
      headers: { [SIGNATURE_HEADER]: signatureFor(handshakeSigningInput('/graphql'), OLD) },
    });
    const messages: { id?: string; type: string; payload?: unknown }[] = [];
    let wake = () => {};
    socket.on('message', (data) => {
      messages.push(JSON.parse(String(data)));
      wake();
    });
    const until = (test: (m: (typeof messages)[number]) => boolean) =>
      new Promise<(typeof messages)[number]>((resolve) => {
        wake = () => {
          const found = messages.find(test);
          if (found) resolve(found);
        };
        wake();
      });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    await until((m) => m.type === 'connection_ack');
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { tick }' } }));
    expect((await until((m) => m.id === '1' && m.type === 'next')).payload).toEqual({ data: { tick: 1 } });
    socket.send(JSON.stringify({ id: '2', type: 'subscribe', payload: { query: 'subscription { tick }', variables: { pad: 'x'.repeat(1_100_000) } } }));
    // Closed, rather than answered (as ws's default 100 MiB limit would have it).
    const outcome = await Promise.race([closed.then((code) => ({ closed: code })), until((m) => m.id === '2').then(() => ({ answered: true }))]);
    expect(outcome).toEqual({ closed: 1009 });
  });

  it('does not start in production without a signing secret, and says what to set', async () => {
    await expect(start({})).rejects.toThrow(ConfigError);
    await expect(start({})).rejects.toThrow(/SUBGRAPH_SIGNING_SECRETS: required in production/);
    const open = await start({ SUBGRAPH_SIGNATURE: 'off' });
    try {
      expect((await post(SERVICE)).status).toBe(401); // the signed one above still refuses…
      const res = await fetch(`${open.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: SERVICE });
      expect(res.status).toBe(200); // …while one explicitly `off` answers anyone
    } finally {
      await open.close();
    }
  });
});
