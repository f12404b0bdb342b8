import type { PaymentSnapshot, WorkspaceSnapshot } from '@atrium/kit/subgraph';
import { waitFor } from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import { CREATE, GET, hoursFromNow, range, startBooking, type Harness } from '../testing/harness';
import { Booking } from './booking.entity';
import { EXPIRE_HOLD, expireJobId, SWEEP } from './booking.handlers';

/**
 * A hold whose payment is being charged (payment.started) is not expired at its deadline:
 * the payment's outcome decides, so a booking whose payment succeeds is never expired for
 * being slow (a transient card, a payment subgraph that crashed mid-way and is reconciled).
 */
let h: Harness;
let desk: WorkspaceSnapshot;
let alice: { userId: string; token: string };

beforeAll(async () => {
  h = await startBooking('booking_payment_in_flight', { BOOKING_HOLD_TTL: '2' });
  desk = await h.addWorkspace({ name: 'Desk P1' });
  alice = await h.member();
});

afterAll(async () => {
  await h?.close();
});

const statusOf = async (id: string) => (await h.gql(GET, { id }, alice.token)).data!.booking.status as string;
const row = (id: string) => h.server.orm.em.fork().findOneOrFail(Booking, id);

function payment(booking: { id: string; price: { amount: number; currency: string } }, status: string): PaymentSnapshot {
  return { paymentId: randomUUID(), bookingId: booking.id, userId: alice.userId, amount: booking.price, last4: '4242', status };
}

/** A hold, with payment.started handled by booking before its deadline. */
async function holdBeingPaid(hoursAhead: number) {
  const booking = (await h.gql(CREATE, { input: range(desk.workspaceId, hoursFromNow(hoursAhead)) }, alice.token)).data!.createBooking;
  const started = payment(booking, 'PROCESSING');
  await h.events.publish('payment.started', started);
  await waitFor(async () => (await row(booking.id)).paymentStartedAt, { what: 'payment.started to reach booking' });
  return { booking, started };
}

/** The hold's expiry job has run (and, the payment being charged, left it alone). */
const expiryJobRan = (id: string) =>
  waitFor(async () => (await h.server.jobs.queue(EXPIRE_HOLD).getJobState(expireJobId(id).replace(/:/g, '.'))) === 'completed', {
    what: 'the expiry job to run',
  });

describe('a hold whose payment is being charged', () => {
  it('outlives its deadline, the expiry job and the sweep, and is confirmed when the payment succeeds', async () => {
    const { booking, started } = await holdBeingPaid(60);
    await expiryJobRan(booking.id);
    // Long overdue for the sweep too.
    await h.server.orm.em.fork().execute(`update booking set expires_at = now() - interval '10 minutes' where id = ?`, [booking.id]);
    const sweepId = `sweep-${randomUUID()}`;
    await h.server.jobs.add(SWEEP, {}, { jobId: sweepId });
    await waitFor(async () => (await h.server.jobs.queue(SWEEP).getJobState(sweepId)) === 'completed', { what: 'the sweep to run' });
    expect(await statusOf(booking.id)).toBe('PENDING_PAYMENT');

    await h.events.publish('payment.succeeded', { ...started, status: 'SUCCEEDED' });
    await waitFor(async () => (await statusOf(booking.id)) === 'CONFIRMED', { what: 'CONFIRMED' });
    await h.settle();
    expect((await h.eventsOf(booking.id)).map((e) => e.type)).toEqual(['booking.created', 'booking.confirmed']);
  });

  it('expires once the payment gives up without a decline, its deadline having passed', async () => {
    const { booking, started } = await holdBeingPaid(62);
    await expiryJobRan(booking.id);
    expect(await statusOf(booking.id)).toBe('PENDING_PAYMENT');

    await h.events.publish('payment.failed', { ...started, status: 'FAILED', reason: 'payment provider unavailable (timeout)', declined: false });
    await waitFor(async () => (await statusOf(booking.id)) === 'EXPIRED', { what: 'EXPIRED' });
    await h.settle();
    expect((await h.eventsOf(booking.id)).map((e) => e.type)).toEqual(['booking.created', 'booking.expired']);
  });
});
