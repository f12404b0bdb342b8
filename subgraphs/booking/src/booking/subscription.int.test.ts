import { createRecorder, type PaymentSnapshot, type Subgraph, type WorkspaceSnapshot } from '@atrium/kit/subgraph';
import { createTestIssuer, graphql, subscribe, testLogger, waitFor, waitForOpenSubscriptions, type TestSubscription } from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import { BOOKING_FIELDS, CANCEL, CREATE, GET, hoursFromNow, range, startBooking, type Harness } from '../testing/harness';
import { COMPLETE_BOOKING, EXPIRE_HOLD, type BookingJobData } from './booking.handlers';
import { BookingLifecycle } from './lifecycle';

const UPDATED = `subscription($bookingId: ID, $workspaceId: ID) {
  bookingUpdated(bookingId: $bookingId, workspaceId: $workspaceId) { ${BOOKING_FIELDS} }
}`;

type User = { userId: string; token: string };
let h: Harness;
let desk: WorkspaceSnapshot;
let room: WorkspaceSnapshot;
let alice: User;
let bob: User;
let manager: User;
let admin: User;
let slot = 0;
/** Subscriptions of the running test, per subgraph they were opened on: closed after each. */
let open: { sub: TestSubscription; on: Subgraph }[] = [];

beforeAll(async () => {
  h = await startBooking('booking_subscription');
  desk = await h.addWorkspace({ name: 'Desk S1' });
  room = await h.addWorkspace({ name: 'Room S2', kind: 'MEETING_ROOM' });
  alice = await h.member();
  bob = await h.member();
  manager = await h.manager();
  const adminId = randomUUID();
  admin = { userId: adminId, token: await h.issuer.token({ userId: adminId, roles: ['ADMIN'] }) };
});

afterEach(async () => {
  const servers = new Set(open.map((o) => o.on));
  await Promise.all(open.map((o) => o.sub.close()));
  open = [];
  // Every test starts with nothing open, so `live` can wait for an exact count.
  for (const server of servers) await waitForOpenSubscriptions(server.metrics, 0).catch(() => undefined);
});

afterAll(async () => {
  await h?.close();
});

/**
 * Subscribes to bookingUpdated on `on` (booking by default) and waits until the subgraph is
 * listening, so no change made afterwards can be missed.
 */
async function live(token: string | undefined, variables: Record<string, unknown> = {}, on: Subgraph = h.server): Promise<TestSubscription> {
  const sub = subscribe(`${on.url}/graphql`, UPDATED, variables, { token });
  open.push({ sub, on });
  await waitForOpenSubscriptions(on.metrics, open.filter((o) => o.on === on).length);
  return sub;
}

/** A subscription the test opened itself (not through `live`), closed after the test like the others. */
function track(sub: TestSubscription, on: Subgraph = h.server): TestSubscription {
  open.push({ sub, on });
  return sub;
}

/** A new PENDING_PAYMENT booking of `who`'s, each in its own slot, through `url` (booking's first instance by default). */
async function book(who: User, workspace = desk, url = h.url) {
  const res = await graphql(url, CREATE, { input: range(workspace.workspaceId, hoursFromNow(24 + 2 * slot++)) }, { token: who.token });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.createBooking as { id: string; status: string; price: { amount: number; currency: string } };
}

const paymentOf = (booking: { id: string; price: { amount: number; currency: string } }, who: User): PaymentSnapshot => ({
  paymentId: randomUUID(),
  bookingId: booking.id,
  userId: who.userId,
  amount: booking.price,
  last4: '4242',
  status: 'SUCCEEDED',
});

/** Runs one of booking's real BullMQ jobs now (the scheduled ones wait for the hold or the end). */
const runJob = (queue: string, bookingId: string) =>
  h.server.jobs.add(queue, { bookingId, correlationId: `test-${queue}` } satisfies BookingJobData, { jobId: `test-${queue}-${bookingId}` });

/**
 * Waits until `witness` has its event number `index`, published after anything the test
 * expects not to see elsewhere, then gives the other sockets a moment to deliver such an
 * event, were one (wrongly) on its way: what they received is then all they will.
 */
async function settledAfter(witness: TestSubscription, index: number): Promise<void> {
  await witness.next(index);
  await new Promise((r) => setTimeout(r, 200));
}

describe('bookingUpdated', () => {
  it('delivers every state as it commits, a snapshot each, with the same fields as queries', async () => {
    const sub = await live(alice.token);
    const created = await book(alice);
    // Payment succeeds at once: both states must arrive, in order, each as it was.
    await h.events.publish('payment.succeeded', paymentOf(created, alice));
    const pending = (await sub.next(0)).data!.bookingUpdated;
    const confirmed = (await sub.next(1)).data!.bookingUpdated;
    expect(pending).toEqual(created);
    expect(pending).toMatchObject({ status: 'PENDING_PAYMENT', confirmedAt: null, workspace: { id: desk.workspaceId }, user: { id: alice.userId } });
    const queried = (await h.gql(GET, { id: created.id }, alice.token)).data!.booking;
    expect(confirmed).toEqual(queried);
    expect(confirmed.status).toBe('CONFIRMED');
    expect(sub.results[0].errors).toBeUndefined();
  });

  it('announces cancellation, payment failure, expiry (job) and completion (job)', async () => {
    const sub = await live(alice.token);
    const [toCancel, toFail, toExpire, toComplete] = [await book(alice), await book(alice), await book(alice), await book(alice)];
    await h.gql(CANCEL, { id: toCancel.id, reason: 'plans changed' }, alice.token);
    await h.events.publish('payment.failed', { ...paymentOf(toFail, alice), status: 'FAILED', reason: 'card declined', declined: true });
    await sub.next(5);
    await runJob(EXPIRE_HOLD, toExpire.id);
    await sub.next(6);
    await h.events.publish('payment.succeeded', paymentOf(toComplete, alice));
    await sub.next(7);
    await runJob(COMPLETE_BOOKING, toComplete.id);
    await sub.next(8);
    const seen = sub.results.map((r) => [r.data!.bookingUpdated.id, r.data!.bookingUpdated.status]);
    expect(seen.slice(0, 4)).toEqual([toCancel, toFail, toExpire, toComplete].map((b) => [b.id, 'PENDING_PAYMENT']));
    expect(seen.slice(4)).toEqual([
      [toCancel.id, 'CANCELLED'],
      [toFail.id, 'PAYMENT_FAILED'],
      [toExpire.id, 'EXPIRED'],
      [toComplete.id, 'CONFIRMED'],
      [toComplete.id, 'COMPLETED'],
    ]);
    expect(sub.results[4].data!.bookingUpdated).toMatchObject({ cancelReason: 'plans changed', cancelledAt: expect.any(String) });
    expect(sub.results[5].data!.bookingUpdated.failureReason).toBe('card declined');
  });

  it("gives a member their own bookings only: another member's booking id yields nothing, and no error", async () => {
    const bobs = await book(bob);
    const aliceOnBobs = await live(alice.token, { bookingId: bobs.id });
    const aliceAll = await live(alice.token);
    const bobOnHis = await live(bob.token, { bookingId: bobs.id });
    await h.gql(CANCEL, { id: bobs.id }, bob.token);
    expect((await bobOnHis.next(0)).data!.bookingUpdated).toMatchObject({ id: bobs.id, status: 'CANCELLED' });
    const alices = await book(alice); // published after bob's cancellation
    expect((await aliceAll.next(0)).data!.bookingUpdated.id).toBe(alices.id);
    await settledAfter(aliceAll, 0);
    expect(aliceOnBobs.results).toEqual([]);
    expect(aliceAll.results).toHaveLength(1);
  });

  it('gives managers and admins every booking, narrowed by bookingId or workspaceId when given', async () => {
    const byManager = await live(manager.token);
    const byAdminInRoom = await live(admin.token, { workspaceId: room.workspaceId });
    const onDesk = await book(alice, desk);
    const inRoom = await book(bob, room);
    const byAdminOnOne = await live(admin.token, { bookingId: onDesk.id });
    await h.gql(CANCEL, { id: onDesk.id }, admin.token);
    await byManager.next(2);
    expect(byManager.results.map((r) => [r.data!.bookingUpdated.id, r.data!.bookingUpdated.status])).toEqual([
      [onDesk.id, 'PENDING_PAYMENT'],
      [inRoom.id, 'PENDING_PAYMENT'],
      [onDesk.id, 'CANCELLED'],
    ]);
    expect((await byAdminOnOne.next(0)).data!.bookingUpdated).toMatchObject({ id: onDesk.id, status: 'CANCELLED' });
    expect((await byAdminInRoom.next(0)).data!.bookingUpdated).toMatchObject({ id: inRoom.id, user: { id: bob.userId } });
    await settledAfter(byManager, 2);
    expect([byAdminOnOne.results.length, byAdminInRoom.results.length]).toEqual([1, 1]);
  });

  it('publishes nothing for a change that rolls back', async () => {
    const booking = await book(alice);
    const sub = await live(alice.token, { bookingId: booking.id });
    const log = testLogger('rollback');
    await expect(
      h.server.orm.em.fork().transactional(async (em) => {
        const events = createRecorder(em, { producer: 'booking', correlationId: 'rolled-back', actorId: null });
        expect(await new BookingLifecycle(em, events, log).confirm(booking.id)).not.toBeNull();
        throw new Error('rolled back after the change was flushed');
      }),
    ).rejects.toThrow('rolled back');
    await h.gql(CANCEL, { id: booking.id }, alice.token);
    expect((await sub.next(0)).data!.bookingUpdated.status).toBe('CANCELLED');
    expect(sub.results).toHaveLength(1);
  });

  it('refuses a bad or expired token with UNAUTHENTICATED, and an anonymous caller too, without a stack trace', async () => {
    const stranger = await createTestIssuer(); // signs with a key booking does not trust
    const forged = track(subscribe(h.url, UPDATED, {}, { token: await stranger.token({ userId: alice.userId }) }));
    const expired = track(subscribe(h.url, UPDATED, {}, { token: await h.issuer.token({ userId: alice.userId, expiresIn: '-1m' }) }));
    const anonymous = track(subscribe(h.url, UPDATED, {}));

    const unauthenticated = (reason: string) => ({ completed: false, error: [{ message: expect.stringContaining(reason), extensions: { code: 'UNAUTHENTICATED' } }] });
    const refused = [await forged.ended, await expired.ended];
    expect(refused).toEqual([unauthenticated('unknown signing key'), unauthenticated('token expired')]);
    // Anonymous is no token at all: the field's @authenticated answers, as for a query.
    const first = await anonymous.next(0);
    expect(first).toEqual({ errors: [expect.objectContaining({ path: ['bookingUpdated'], extensions: { code: 'UNAUTHENTICATED' } })] });
    expect(await anonymous.ended).toEqual({ completed: true });
    expect(JSON.stringify([refused, first])).not.toMatch(/stacktrace|\s+at\s/);
  });
});

describe('the auth contract with the gateway', () => {
  /** Headers the gateway sends with each subscription on its shared socket. */
  const headers = (token: string, requestId: string = randomUUID()) => ({ extensions: { headers: { authorization: `Bearer ${token}`, 'x-request-id': requestId } } });

  it('authenticates each subscription by extensions.headers, with no connectionParams', async () => {
    const sub = track(subscribe(h.url, UPDATED, {}, headers(alice.token)));
    await waitForOpenSubscriptions(h.server.metrics, 1);
    const booking = await book(alice);
    expect((await sub.next(0)).data!.bookingUpdated.id).toBe(booking.id);
  });

  it('prefers extensions.headers over connectionParams: a bad token there is refused whatever the connection says', async () => {
    const sub = track(subscribe(h.url, UPDATED, {}, { token: alice.token, ...headers('not-a-jwt') }));
    expect(await sub.ended).toEqual({ completed: false, error: [expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })] });
  });

  it('runs the operation as the request x-request-id names (its events carry it as correlation id)', async () => {
    const create = track(subscribe(h.url, CREATE, { input: range(desk.workspaceId, hoursFromNow(24 + 2 * slot++)) }, headers(bob.token, 'req-over-ws')));
    const created = (await create.next(0)).data!.createBooking;
    expect(created.user).toEqual({ id: bob.userId });
    const [event] = await waitFor(async () => {
      const found = await h.eventsOf(created.id);
      return found.length > 0 && found;
    });
    expect(event).toMatchObject({ type: 'booking.created', correlationId: 'req-over-ws', actorId: bob.userId });
  });
});

describe('several instances of booking', () => {
  let second: Subgraph;

  beforeAll(async () => {
    second = await h.replica();
  });

  it('delivers a change made through one instance to a subscriber of another, exactly once', async () => {
    const onFirst = await live(alice.token);
    const onSecond = await live(alice.token, {}, second);
    const booking = await book(alice, desk, `${second.url}/graphql`);
    expect((await onFirst.next(0)).data!.bookingUpdated).toMatchObject({ id: booking.id, status: 'PENDING_PAYMENT' });
    expect((await onSecond.next(0)).data!.bookingUpdated).toMatchObject({ id: booking.id, status: 'PENDING_PAYMENT' });
    // A later change through the first instance is the very next event on both: no duplicate came in between.
    await h.gql(CANCEL, { id: booking.id }, alice.token);
    expect((await onFirst.next(1)).data!.bookingUpdated).toMatchObject({ id: booking.id, status: 'CANCELLED' });
    expect((await onSecond.next(1)).data!.bookingUpdated).toMatchObject({ id: booking.id, status: 'CANCELLED' });
    await settledAfter(onSecond, 1);
    expect([onFirst.results.length, onSecond.results.length]).toEqual([2, 2]);
  });

  it('closes its sockets when it stops, so subscribers (the gateway) see their subscriptions end', async () => {
    const sub = await live(alice.token, {}, second);
    const stopped = second.close();
    const ended = await sub.ended;
    await stopped;
    expect(ended.completed).toBe(false);
    expect((ended as { error: { code?: number } }).error.code).toBe(1001);
    open = open.filter((o) => o.on !== second);
  });
});
