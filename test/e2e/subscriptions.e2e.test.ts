import { scopesFor } from '@atrium/kit';
import { errorCodes, graphql, openSubscriptions, subscribe, waitFor, type TestSubscription } from '@atrium/kit/testing';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { castOfUsers, login, register, startSupergraph, type RunningSupergraph, type Session } from '../support/supergraph';

// Atrium's subscriptions end to end: over real WebSockets through the gateway, completed from
// other subgraphs, authorized on every event, and the same across instances.

let sg: RunningSupergraph;
let admin: Session;
let manager: Session;
let member: Session;
let other: Session;
let workspaceId: string;
const subs: TestSubscription[] = [];

const CARD = { number: '4242424242424242', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' };
const LIVE = `subscription($b: ID, $w: ID) { bookingUpdated(bookingId: $b, workspaceId: $w) {
  id status workspace { name location { city } } user { name } payment { status }
} }`;

let nextSlot = 0;
/** A fresh one-hour slot next year (each call a different hour, so bookings never conflict). */
function slot() {
  const start = Date.UTC(new Date().getUTCFullYear() + 1, 2, 1, 8) + nextSlot++ * 2 * 3600_000;
  return { startsAt: new Date(start).toISOString(), endsAt: new Date(start + 3600_000).toISOString() };
}

const gql = (query: string, variables: Record<string, unknown>, token?: string, url = sg.url) => graphql(url, query, variables, { token });
const book = async (token: string, url = sg.url) => {
  const res = await gql(`mutation($input: CreateBookingInput!) { createBooking(input: $input) { id status } }`, { input: { workspaceId, ...slot() } }, token, url);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.createBooking.id as string;
};
const pay = (token: string, bookingId: string) => gql(`mutation($input: PayForBookingInput!) { payForBooking(input: $input) { status } }`, { input: { bookingId, card: CARD } }, token);
const cancel = (token: string, id: string) => gql(`mutation($id: ID!) { cancelBooking(id: $id) { status } }`, { id }, token);

function live(variables: Record<string, unknown>, token: string | undefined, url = sg.url) {
  const sub = subscribe(url, LIVE, variables, { token });
  subs.push(sub);
  return sub;
}

/** Waits until `gateway` has `n` open subscriptions, so that what happens next reaches them. */
const openOn = (gateway: RunningSupergraph['gateway'], n: number) => waitFor(async () => gateway.hub.size >= n || undefined, { what: `${n} subscriptions open` });

beforeAll(async () => {
  sg = await startSupergraph();
  ({ admin, manager, member } = await castOfUsers(sg.url));
  other = await register(sg.url, 'other@atrium.test', 'Olga Other');
  const location = await gql(`mutation { createLocation(input: { name: "Atrium Lyon", city: "Lyon", address: "1 quai", timezone: "Europe/Paris" }) { id } }`, {}, manager.accessToken);
  const ws = await gql(
    `mutation($l: ID!) { createWorkspace(input: { locationId: $l, name: "Desk 7", kind: DESK, capacity: 1, hourlyRate: { amount: 500, currency: "EUR" } }) { id } }`,
    { l: location.data!.createLocation.id },
    manager.accessToken,
  );
  workspaceId = ws.data!.createWorkspace.id;
  // booking learns about workspaces from catalog's events: wait until it knows this one.
  await waitFor(async () => {
    try {
      await cancel(member.accessToken, await book(member.accessToken));
      return true;
    } catch {
      return false;
    }
  }, { what: 'booking to know the workspace' });
});

afterAll(async () => {
  await Promise.all(subs.map((s) => s.close()));
  await sg?.close();
});

describe('bookingUpdated through the gateway', () => {
  it('shows a booking\'s whole life to its owner, each event completed from catalog, identity and payment', async () => {
    const before = sg.gateway.hub.size;
    const mine = live({ w: workspaceId }, member.accessToken);
    await openOn(sg.gateway, before + 1);
    const id = await book(member.accessToken);
    expect((await pay(member.accessToken, id)).data?.payForBooking.status).toBe('SUCCEEDED');
    await waitFor(async () => mine.results.some((r) => r.data?.bookingUpdated.status === 'CONFIRMED') || undefined);
    expect((await cancel(member.accessToken, id)).errors).toBeUndefined();
    await mine.next(2);

    const events = mine.results.map((r) => r.data?.bookingUpdated);
    expect(mine.results.every((r) => r.errors === undefined)).toBe(true);
    expect(events.map((e) => e.status)).toEqual(['PENDING_PAYMENT', 'CONFIRMED', 'CANCELLED']);
    for (const e of events) expect(e).toMatchObject({ id, workspace: { name: 'Desk 7', location: { city: 'Lyon' } }, user: { name: 'Mia Member' } });
    expect(events[0].payment).toBeNull();
    expect(events[1].payment).toEqual({ status: 'SUCCEEDED' });
    expect(['SUCCEEDED', 'REFUNDED']).toContain(events[2].payment.status); // the refund follows the cancellation
  });

  it('gives a member nothing of another member\'s booking, and an admin everything', async () => {
    const before = sg.gateway.hub.size;
    const id = await book(member.accessToken);
    const snooper = live({ b: id }, other.accessToken);
    const all = live({}, admin.accessToken);
    const owner = live({ b: id }, member.accessToken);
    await openOn(sg.gateway, before + 3);
    await cancel(member.accessToken, id);
    expect((await owner.next(0)).data?.bookingUpdated).toMatchObject({ id, status: 'CANCELLED' });
    expect((await all.next(0)).data?.bookingUpdated).toMatchObject({ id, status: 'CANCELLED', user: { name: 'Mia Member' } });
    // The snooper's upstream saw the same event and let nothing through; the admin's later
    // events prove time has passed for it to arrive if it were going to.
    const later = await book(other.accessToken);
    await waitFor(async () => all.results.some((r) => r.data?.bookingUpdated.id === later) || undefined);
    expect(snooper.results).toEqual([]);
  });

  it('refuses the subscription field itself to an anonymous caller, with UNAUTHENTICATED', async () => {
    const anonymous = live({}, undefined);
    const result = await anonymous.next(0);
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(await anonymous.ended).toEqual({ completed: true });
  });

  it('applies field-level auth to the selection of each event, without asking a subgraph for a refused field', async () => {
    // Workspace.stats needs reports:read, which a member lacks: every event comes with the
    // rest filled, `stats` null and FORBIDDEN at its path, and reporting is never called.
    const before = sg.gateway.hub.size;
    const reportingCalls = sg.received.reporting.length;
    const sub = subscribe(sg.url, `subscription($w: ID) { bookingUpdated(workspaceId: $w) { id status workspace { name stats { bookings } } } }`, { w: workspaceId }, { token: member.accessToken });
    subs.push(sub);
    await openOn(sg.gateway, before + 1);
    const id = await book(member.accessToken);
    const first = await sub.next(0);
    expect(first.data?.bookingUpdated).toEqual({ id, status: 'PENDING_PAYMENT', workspace: { name: 'Desk 7', stats: null } });
    expect(first.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([['FORBIDDEN', ['bookingUpdated', 'workspace', 'stats']]]);
    expect(sg.received.reporting.slice(reportingCalls).filter((q) => q.includes('stats'))).toEqual([]);
    await cancel(member.accessToken, id);
  });

  it('ends a subscription with UNAUTHENTICATED when its token expires, and sends nothing after', async () => {
    const before = sg.gateway.hub.size;
    const expiresAt = new Date(Date.now() + 3_000);
    const token = await sg.identity.keys.sign({ sub: member.userId, roles: ['MEMBER'], scope: scopesFor(['MEMBER']).join(' ') }, expiresAt);
    const shortLived = live({ w: workspaceId }, token);
    await openOn(sg.gateway, before + 1);
    const outcome = await shortLived.ended;
    expect(outcome).toEqual({ completed: true });
    expect(Date.now()).toBeGreaterThanOrEqual(Math.floor(expiresAt.getTime() / 1000) * 1000); // `exp` counts whole seconds
    const last = shortLived.results.at(-1);
    expect(last?.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    const count = shortLived.results.length;
    await cancel(member.accessToken, await book(member.accessToken));
    expect(shortLived.results).toHaveLength(count);
  });

  it('shares one upstream subscription among 100 identical subscribers', async () => {
    const upstreamsBefore = sg.gateway.hub.upstreams;
    const before = sg.gateway.hub.size;
    const hundred = Array.from({ length: 100 }, () => live({ w: workspaceId }, admin.accessToken));
    await openOn(sg.gateway, before + 100);
    expect(sg.gateway.hub.upstreams - upstreamsBefore).toBe(1);
    const id = await book(member.accessToken);
    const firsts = await Promise.all(hundred.map((s) => s.next(0)));
    expect(new Set(firsts.map((r) => r.data?.bookingUpdated.id))).toEqual(new Set([id]));
    await Promise.all(hundred.map((s) => s.close()));
    await cancel(member.accessToken, id);
  });
});

describe('many instances behave as one', () => {
  it('delivers an update made through either booking instance to a subscriber on either gateway, exactly once', async () => {
    const booking2 = await sg.another('booking');
    const gateway2 = await sg.anotherGateway({ SUBGRAPH_BOOKING_URL: `${booking2.url}/graphql` });
    const url2 = `${gateway2.url}/graphql`;
    const upstreamsBefore = await openSubscriptions(sg.subgraphs.booking.metrics);
    const onFirst = live({ w: workspaceId }, admin.accessToken);
    const onSecond = live({ w: workspaceId }, admin.accessToken, url2);
    await openOn(sg.gateway, 1);
    await openOn(gateway2, 1);
    // Each gateway's upstream subscription is live on its booking instance (pub/sub is at most
    // once: a change made before it listens is never heard).
    await waitFor(async () => (await openSubscriptions(sg.subgraphs.booking.metrics)) > upstreamsBefore || undefined, { what: 'the upstream subscription on booking 1' });
    await waitFor(async () => (await openSubscriptions(booking2.metrics)) >= 1 || undefined, { what: 'the upstream subscription on booking 2' });
    // Gateway 1 routes to booking 1, gateway 2 to booking 2: one booking made through each.
    const viaFirst = await book(member.accessToken);
    const viaSecond = await book(member.accessToken, url2);
    const ids = [viaFirst, viaSecond];
    await waitFor(async () => ids.every((id) => onFirst.results.some((r) => r.data?.bookingUpdated.id === id)) || undefined);
    await waitFor(async () => ids.every((id) => onSecond.results.some((r) => r.data?.bookingUpdated.id === id)) || undefined);
    // A later event on both proves no duplicate of the earlier ones was still on its way.
    const marker = await book(member.accessToken);
    for (const sub of [onFirst, onSecond]) {
      await waitFor(async () => sub.results.some((r) => r.data?.bookingUpdated.id === marker) || undefined);
      const seen = sub.results.map((r) => `${r.data?.bookingUpdated.id}:${r.data?.bookingUpdated.status}`);
      expect(seen.filter((s) => s === `${viaFirst}:PENDING_PAYMENT`)).toHaveLength(1);
      expect(seen.filter((s) => s === `${viaSecond}:PENDING_PAYMENT`)).toHaveLength(1);
    }
  });
});

describe('a revoked session ends its subscriptions, and its token stops working at the gateway', () => {
  const PASSWORD = 'correct-horse-battery';
  const ME = '{ me { id } }';
  const REVOKED = [['UNAUTHENTICATED', 'The session was revoked: sign in again']];
  const sockets: Client[] = [];
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.dispose()));
  });
  const lastErrors = (sub: TestSubscription) => sub.results.at(-1)?.errors?.map((e) => [e.extensions?.code, e.message]);
  /** Waits until `sub` has ended (or fails after 10 s), then says how. */
  const endOf = async (sub: TestSubscription) => {
    let outcome: Awaited<TestSubscription['ended']> | undefined;
    void sub.ended.then((o) => (outcome = o));
    return waitFor(() => outcome, { what: 'the subscription to end' });
  };

  it('logout: session A\'s subscription ends with UNAUTHENTICATED, A\'s token is refused over WebSocket (4401) and HTTP (401), session B goes on', async () => {
    const rita = await register(sg.url, 'rita@atrium.test', 'Rita Revoked', PASSWORD);
    const a = await login(sg.url, 'rita@atrium.test', PASSWORD);
    const b = await login(sg.url, 'rita@atrium.test', PASSWORD);
    const before = sg.gateway.hub.size;
    const onA = live({ w: workspaceId }, a.accessToken);
    const onB = live({ w: workspaceId }, b.accessToken);
    // A socket of session A that stays open, to send an operation on after the logout.
    const socketA: Client = createClient({
      url: sg.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${a.accessToken}` },
      onNonLazyError: () => undefined,
    });
    sockets.push(socketA);
    await new Promise<void>((resolve) => socketA.on('connected', () => resolve()));
    await openOn(sg.gateway, before + 2);

    expect((await gql(`mutation($t: String!) { logout(refreshToken: $t) }`, { t: a.refreshToken })).data).toEqual({ logout: true });
    expect(await endOf(onA)).toEqual({ completed: true });
    expect(onA.results).toHaveLength(1);
    expect(lastErrors(onA)).toEqual(REVOKED);

    // A's token, still unexpired, no longer runs anything on its open socket, opens a socket, nor answers over HTTP.
    const onOpenSocket = await new Promise<unknown>((resolve) => socketA.subscribe({ query: ME }, { next: resolve, error: resolve, complete: () => undefined }));
    expect((onOpenSocket as { extensions?: { code?: string }; message: string }[]).map((e) => [e.extensions?.code, e.message])).toEqual(REVOKED);
    const again = live({ w: workspaceId }, a.accessToken);
    expect(await endOf(again)).toMatchObject({ completed: false, error: { code: 4401 } });
    const overHttp = await gql(ME, {}, a.accessToken);
    expect(overHttp.status).toBe(401);
    expect(errorCodes(overHttp)).toEqual(['UNAUTHENTICATED']);
    expect(overHttp.errors?.[0].message).toBe('The session was revoked: sign in again');

    // B — the same user, sharing A's upstream stream until then — keeps working over both.
    expect((await gql(ME, {}, b.accessToken)).data).toEqual({ me: { id: rita.userId } });
    const onB2 = live({ w: workspaceId }, b.accessToken);
    await onB2.connected;
    const id = await book(b.accessToken);
    for (const sub of [onB, onB2]) expect((await sub.next(0)).data?.bookingUpdated).toMatchObject({ id, status: 'PENDING_PAYMENT', user: { name: 'Rita Revoked' } });
    expect(onA.results).toHaveLength(1); // nothing after its end
    await cancel(b.accessToken, id);
  });

  it('changePassword ends the subscriptions of the user\'s other sessions, not the caller\'s', async () => {
    const first = await register(sg.url, 'pat@atrium.test', 'Pat Password', PASSWORD);
    const other = await login(sg.url, 'pat@atrium.test', PASSWORD);
    const caller = await login(sg.url, 'pat@atrium.test', PASSWORD);
    const before = sg.gateway.hub.size;
    const onFirst = live({ w: workspaceId }, first.accessToken);
    const onOther = live({ w: workspaceId }, other.accessToken);
    const onCaller = live({ w: workspaceId }, caller.accessToken);
    await openOn(sg.gateway, before + 3);

    const changed = await gql(`mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }`, { c: PASSWORD, n: 'a brand new password' }, caller.accessToken);
    expect(changed.data).toEqual({ changePassword: true });
    for (const sub of [onFirst, onOther]) {
      expect(await endOf(sub)).toEqual({ completed: true });
      expect(lastErrors(sub)).toEqual(REVOKED);
    }
    for (const token of [first.accessToken, other.accessToken]) expect(errorCodes(await gql(ME, {}, token))).toEqual(['UNAUTHENTICATED']);

    expect((await gql(ME, {}, caller.accessToken)).data).toEqual({ me: { id: caller.userId } });
    const id = await book(caller.accessToken);
    expect((await onCaller.next(0)).data?.bookingUpdated).toMatchObject({ id, status: 'PENDING_PAYMENT' });
    expect(onCaller.results.every((r) => !r.errors)).toBe(true);
    await cancel(caller.accessToken, id);
  });
});
