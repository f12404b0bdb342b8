import { SIGNATURE_HEADER } from '@atrium/kit';
import { graphql, subscribe, waitFor, type TestSubscription } from '@atrium/kit/testing';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { castOfUsers, startSupergraph, type RunningSupergraph, type Session } from '../support/supergraph';

// The whole supergraph in production mode, where subgraphs answer only requests the gateway
// signed: every query, mutation and subscription still works through the gateway, during a
// secret rotation too, and nobody else gets anything out of a subgraph — not even its SDL.
const CURRENT = randomBytes(32).toString('hex');
const PREVIOUS = randomBytes(32).toString('hex');

let sg: RunningSupergraph;
let member: Session;
let workspaceId: string;
const subs: TestSubscription[] = [];

let nextSlot = 0;
const slot = () => {
  const start = Date.UTC(new Date().getUTCFullYear() + 1, 3, 1, 8) + nextSlot++ * 2 * 3600_000;
  return { startsAt: new Date(start).toISOString(), endsAt: new Date(start + 3600_000).toISOString() };
};
const book = (token: string) => graphql(sg.url, 'mutation($input: CreateBookingInput!) { createBooking(input: $input) { id status } }', { input: { workspaceId, ...slot() } }, { token });

beforeAll(async () => {
  // Subgraphs accept both secrets (a rotation under way); the gateway signs with the first.
  sg = await startSupergraph({ NODE_ENV: 'production', SUBGRAPH_SIGNING_SECRETS: `${CURRENT},${PREVIOUS}` });
  let manager: Session;
  ({ member, manager } = await castOfUsers(sg.url));
  const location = await graphql(sg.url, 'mutation { createLocation(input: { name: "Atrium Nantes", city: "Nantes", address: "2 quai", timezone: "Europe/Paris" }) { id } }', {}, { token: manager.accessToken });
  const created = await graphql(
    sg.url,
    'mutation($l: ID!) { createWorkspace(input: { locationId: $l, name: "Signed desk", kind: DESK, capacity: 1, hourlyRate: { amount: 500, currency: "EUR" } }) { id } }',
    { l: location.data!.createLocation.id },
    { token: manager.accessToken },
  );
  workspaceId = created.data!.createWorkspace.id;
  // booking learns about workspaces from catalog's events.
  await waitFor(async () => (await book(member.accessToken)).data?.createBooking.id !== undefined || undefined, { what: 'booking to know the workspace' });
});

afterAll(async () => {
  await Promise.all(subs.map((s) => s.close()));
  await sg?.close();
});

describe('a supergraph whose subgraphs require signed requests', () => {
  it('answers queries and mutations across subgraphs through the gateway', async () => {
    const res = await graphql(
      sg.url,
      '{ me { name bookings(first: 5) { edges { node { status workspace { name location { city } } user { name } } } } } }',
      {},
      { token: member.accessToken },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.me.name).toBe('Mia Member');
    expect(res.data?.me.bookings.edges[0].node).toMatchObject({ status: 'PENDING_PAYMENT', workspace: { name: 'Signed desk', location: { city: 'Nantes' } }, user: { name: 'Mia Member' } });
  });

  it('delivers subscription events, each completed from other subgraphs, over signed upstream sockets', async () => {
    const before = sg.gateway.hub.size;
    const live = subscribe(sg.url, 'subscription($w: ID) { bookingUpdated(workspaceId: $w) { id status workspace { name location { city } } user { name } } }', { w: workspaceId }, { token: member.accessToken });
    subs.push(live);
    await waitFor(async () => sg.gateway.hub.size > before || undefined, { what: 'the subscription to open' });
    const id = (await book(member.accessToken)).data!.createBooking.id;
    const event = await live.next(0);
    expect(event.errors).toBeUndefined();
    expect(event.data?.bookingUpdated).toEqual({ id, status: 'PENDING_PAYMENT', workspace: { name: 'Signed desk', location: { city: 'Nantes' } }, user: { name: 'Mia Member' } });
  });

  it('refuses anyone else who reaches a subgraph: `_service`, `_entities` and WebSocket upgrades, with 401', async () => {
    const direct = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${sg.subgraphs.identity.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const sdl = await direct({ query: '{ _service { sdl } }' });
    expect(sdl.status).toBe(401);
    const body = await sdl.text();
    expect(body).not.toMatch(/type User/);
    expect(JSON.parse(body).errors[0]).toMatchObject({ message: expect.stringMatching(/answers only the gateway/), extensions: { code: 'UNAUTHENTICATED' } });
    const entities = await direct(
      { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { email } } }', variables: { r: [{ __typename: 'User', id: member.userId }] } },
      { [SIGNATURE_HEADER]: `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
    );
    expect(entities.status).toBe(401);
    expect(await entities.text()).not.toMatch(/@atrium\.test/);
    const upgrade = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${sg.subgraphs.booking.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('open', () => resolve(101));
      socket.once('error', () => resolve(0));
    });
    expect(upgrade).toBe(401);
  });

  it('keeps answering a gateway that still signs with the previous secret, and refuses one whose secret was retired', async () => {
    const query = '{ workspaces(first: 5) { edges { node { name } } } }';
    const lagging = await sg.anotherGateway({ SUBGRAPH_SIGNING_SECRETS: PREVIOUS });
    const answered = await graphql(`${lagging.url}/graphql`, query);
    expect(answered.errors).toBeUndefined();
    expect(answered.data?.workspaces.edges.map((e: { node: { name: string } }) => e.node.name)).toContain('Signed desk');

    const retired = await sg.anotherGateway({ SUBGRAPH_SIGNING_SECRETS: randomBytes(32).toString('hex') });
    const before = sg.received.catalog.length;
    const refused = await graphql(`${retired.url}/graphql`, query);
    expect(refused.data?.workspaces ?? null).toBeNull();
    expect(refused.errors?.length).toBeGreaterThan(0);
    expect(sg.received.catalog.length).toBe(before); // refused before Apollo Server saw it
  });
});
