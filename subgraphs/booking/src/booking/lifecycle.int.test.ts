import type { PaymentSnapshot, WorkspaceSnapshot } from '@atrium/kit/subgraph';
import { errorCodes, waitFor } from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import { CANCEL, CREATE, GET, hoursFromNow, range, startBooking, type Harness } from '../testing/harness';
import { WorkspaceReplica } from '../workspace/workspace-replica.entity';
import { COMPLETE_BOOKING, EXPIRE_HOLD } from './booking.handlers';

let h: Harness;
let desk: WorkspaceSnapshot;
let alice: { userId: string; token: string };
let bob: { userId: string; token: string };
let slot = 0;

beforeAll(async () => {
  h = await startBooking('booking_lifecycle');
  desk = await h.addWorkspace({ name: 'Desk B2', hourlyRate: { amount: 2000, currency: 'EUR' } });
  alice = await h.member();
  bob = await h.member();
});

afterAll(async () => {
  await h?.close();
});

/** A new PENDING_PAYMENT booking of alice's, each in its own slot. */
async function pendingBooking(headers: Record<string, string> = {}) {
  const res = await h.gql(CREATE, { input: range(desk.workspaceId, hoursFromNow(24 + 2 * slot++)) }, alice.token, headers);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.createBooking as { id: string; startsAt: string; endsAt: string; price: { amount: number; currency: string } };
}

const payment = (booking: { id: string; price: { amount: number; currency: string } }): PaymentSnapshot => ({
  paymentId: randomUUID(),
  bookingId: booking.id,
  userId: alice.userId,
  amount: booking.price,
  last4: '4242',
  status: 'SUCCEEDED',
});

const statusOf = async (id: string) => (await h.gql(GET, { id }, alice.token)).data!.booking.status as string;
const typesOf = async (id: string) => (await h.eventsOf(id)).map((e) => e.type);

describe("the replica of catalog's workspaces", () => {
  it('prices new bookings at the rate of the latest workspace.updated', async () => {
    const office = await h.addWorkspace({ name: 'Office', hourlyRate: { amount: 1000, currency: 'EUR' } });
    await h.events.publish('workspace.updated', { ...office, name: 'Office (renovated)', hourlyRate: { amount: 3000, currency: 'CHF' } });
    await waitFor(async () => (await h.server.orm.em.fork().findOne(WorkspaceReplica, { id: office.workspaceId }))?.hourlyRateAmount === 3000);
    const res = await h.gql(CREATE, { input: range(office.workspaceId, hoursFromNow(30)) }, alice.token);
    expect(res.data!.createBooking.price).toEqual({ amount: 3000, currency: 'CHF' });
    const [created] = await waitFor(async () => {
      const all = await h.eventsOf(res.data!.createBooking.id);
      return all.length > 0 && all;
    });
    expect(created.data).toMatchObject({ workspaceName: 'Office (renovated)' });
  });

  it('ignores an event older than the state it already has (late or reordered delivery)', async () => {
    const hall = await h.addWorkspace({ name: 'Hall' });
    const past = new Date(Date.now() - 3600_000).toISOString();
    await h.events.publish('workspace.archived', { ...hall, active: false }, { occurredAt: past });
    await h.events.publish('workspace.updated', { ...hall, name: 'Hall (stale)' }, { occurredAt: past });
    await h.settle();
    const replica = await h.server.orm.em.fork().findOneOrFail(WorkspaceReplica, { id: hall.workspaceId });
    expect({ name: replica.name, active: replica.active }).toEqual({ name: 'Hall', active: true });
  });
});

describe('payment outcomes', () => {
  it('confirms a pending booking on payment.succeeded and records booking.confirmed in the payment’s correlation', async () => {
    const booking = await pendingBooking({ 'x-request-id': 'req-book' });
    const paid = await h.events.publish('payment.succeeded', payment(booking), { correlationId: 'req-pay', actorId: alice.userId });
    await waitFor(async () => (await statusOf(booking.id)) === 'CONFIRMED', { what: 'CONFIRMED' });
    const confirmed = (await h.gql(GET, { id: booking.id }, alice.token)).data!.booking;
    expect(new Date(confirmed.confirmedAt).getTime()).toBeLessThanOrEqual(Date.now());
    const events = await waitFor(async () => {
      const all = await h.eventsOf(booking.id);
      return all.some((e) => e.type === 'booking.confirmed') && all;
    });
    expect(events.map((e) => [e.type, e.correlationId])).toEqual([
      ['booking.created', 'req-book'],
      ['booking.confirmed', paid.correlationId],
    ]);
    expect(events[1]).toMatchObject({ producer: 'booking', actorId: alice.userId, data: { bookingId: booking.id, status: 'CONFIRMED', price: booking.price } });
  });

  it('confirms once, however often payment.succeeded is delivered or repeated', async () => {
    const booking = await pendingBooking();
    const first = await h.events.publish('payment.succeeded', payment(booking));
    await h.events.publish('payment.succeeded', payment(booking), { id: first.id }); // redelivery of the same event
    await h.events.publish('payment.succeeded', payment(booking)); // another event saying the same
    await h.settle();
    expect(await statusOf(booking.id)).toBe('CONFIRMED');
    expect(await typesOf(booking.id)).toEqual(['booking.created', 'booking.confirmed']);
  });

  it('fails the booking on a declined payment, which frees the slot', async () => {
    const booking = await pendingBooking();
    await h.events.publish('payment.failed', { ...payment(booking), status: 'FAILED', reason: 'card declined', declined: true });
    await waitFor(async () => (await statusOf(booking.id)) === 'PAYMENT_FAILED', { what: 'PAYMENT_FAILED' });
    expect((await h.gql(GET, { id: booking.id }, alice.token)).data!.booking.failureReason).toBe('card declined');
    const failed = await waitFor(async () => (await h.eventsOf(booking.id)).find((e) => e.type === 'booking.payment_failed'));
    expect(failed.data).toMatchObject({ status: 'PAYMENT_FAILED', reason: 'card declined' });
    const again = await h.gql(CREATE, { input: { workspaceId: desk.workspaceId, startsAt: booking.startsAt, endsAt: booking.endsAt } }, bob.token);
    expect(again.errors).toBeUndefined();
  });

  it('leaves the booking pending on a transient payment failure (payment retries it)', async () => {
    const booking = await pendingBooking();
    await h.events.publish('payment.failed', { ...payment(booking), status: 'FAILED', reason: 'provider timeout', declined: false });
    await h.settle();
    expect(await statusOf(booking.id)).toBe('PENDING_PAYMENT');
    expect(await typesOf(booking.id)).toEqual(['booking.created']);
  });

  it('leaves a cancelled booking cancelled when its payment succeeds late, and emits nothing (payment refunds)', async () => {
    const booking = await pendingBooking();
    await h.gql(CANCEL, { id: booking.id }, alice.token);
    await h.events.publish('payment.succeeded', payment(booking));
    await h.settle();
    expect(await statusOf(booking.id)).toBe('CANCELLED');
    expect(await typesOf(booking.id)).toEqual(['booking.created', 'booking.cancelled']);
  });

  it('shrugs off a payment for a booking it does not know, without dead-lettering it', async () => {
    await h.events.publish('payment.succeeded', payment({ id: randomUUID(), price: { amount: 1, currency: 'EUR' } }));
    await h.settle();
    expect(await h.events.dead()).toEqual([]);
  });
});

describe('scheduled work', () => {
  it('schedules the hold’s expiry at expiresAt, once, under a deterministic job id', async () => {
    const booking = await pendingBooking();
    const job = await waitFor(() => h.server.jobs.queue(EXPIRE_HOLD).getJob(`expire.${booking.id}`), { what: 'the expire-hold job' });
    const { expiresAt } = (await h.gql(GET, { id: booking.id }, alice.token)).data!.booking;
    expect(await job.getState()).toBe('delayed');
    expect(Math.abs(job.timestamp + job.delay - new Date(expiresAt).getTime())).toBeLessThan(2_000);
    expect(job.data).toEqual({ bookingId: booking.id, correlationId: expect.any(String) });
  });

  it('completes a confirmed booking when its end comes (the completion job), recording booking.completed', async () => {
    const booking = await pendingBooking();
    await h.events.publish('payment.succeeded', payment(booking));
    const job = await waitFor(() => h.server.jobs.queue(COMPLETE_BOOKING).getJob(`complete.${booking.id}`), { what: 'the complete-booking job' });
    expect(Math.abs(job.timestamp + job.delay - new Date(booking.endsAt).getTime())).toBeLessThan(2_000);
    await job.promote(); // run it now rather than at endsAt
    await waitFor(async () => (await statusOf(booking.id)) === 'COMPLETED', { what: 'COMPLETED' });
    const types = await waitFor(async () => {
      const all = await typesOf(booking.id);
      return all.includes('booking.completed') && all;
    });
    expect(types).toEqual(['booking.created', 'booking.confirmed', 'booking.completed']);
    expect(errorCodes(await h.gql(CANCEL, { id: booking.id }, alice.token))).toEqual(['BAD_USER_INPUT']);
  });
});
