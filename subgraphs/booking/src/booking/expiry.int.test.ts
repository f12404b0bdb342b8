import type { WorkspaceSnapshot } from '@atrium/kit/subgraph';
import { waitFor } from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { CREATE, GET, hoursFromNow, range, startBooking, type Harness } from '../testing/harness';
import { SWEEP } from './booking.handlers';

/** Holds last one second here, so the expiry job really runs. */
let h: Harness;
let desk: WorkspaceSnapshot;
let alice: { userId: string; token: string };
let bob: { userId: string; token: string };

beforeAll(async () => {
  h = await startBooking('booking_expiry', { BOOKING_HOLD_TTL: '1' });
  desk = await h.addWorkspace({ name: 'Desk C3' });
  alice = await h.member();
  bob = await h.member();
});

afterAll(async () => {
  await h?.close();
});

const statusOf = async (id: string, token = alice.token) => (await h.gql(GET, { id }, token)).data!.booking.status as string;

describe('hold expiry', () => {
  it('expires an unpaid hold after BOOKING_HOLD_TTL, records booking.expired, and frees the slot', async () => {
    const input = range(desk.workspaceId, hoursFromNow(24));
    const res = await h.gql(CREATE, { input }, alice.token, { 'x-request-id': 'req-hold' });
    const { id, expiresAt } = res.data!.createBooking;
    expect(new Date(expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(1_000);
    await waitFor(async () => (await statusOf(id)) === 'EXPIRED', { what: 'EXPIRED' });
    const expired = await waitFor(async () => (await h.eventsOf(id)).find((e) => e.type === 'booking.expired'));
    expect(expired).toMatchObject({ producer: 'booking', correlationId: 'req-hold', data: { bookingId: id, status: 'EXPIRED' } });

    const again = await h.gql(CREATE, { input }, bob.token);
    expect(again.errors).toBeUndefined();
    expect(again.data!.createBooking.status).toBe('PENDING_PAYMENT');
  });

  it('keeps an expired hold expired when its payment succeeds too late, and emits nothing (payment refunds)', async () => {
    const res = await h.gql(CREATE, { input: range(desk.workspaceId, hoursFromNow(30)) }, alice.token);
    const booking = res.data!.createBooking;
    await waitFor(async () => (await statusOf(booking.id)) === 'EXPIRED', { what: 'EXPIRED' });
    await h.events.publish('payment.succeeded', {
      paymentId: randomUUID(),
      bookingId: booking.id,
      userId: alice.userId,
      amount: booking.price,
      last4: '4242',
      status: 'SUCCEEDED',
    });
    await h.settle();
    expect(await statusOf(booking.id)).toBe('EXPIRED');
    expect((await h.eventsOf(booking.id)).map((e) => e.type)).toEqual(['booking.created', 'booking.expired']);
  });
});

describe('the sweep', () => {
  it('expires overdue holds and completes ended bookings whose jobs were lost', async () => {
    // Rows written behind the service's back: no booking.created event, so no job was ever scheduled.
    const client = new Client({ connectionString: h.db.url });
    await client.connect();
    const insert = (status: string, startsAt: Date, endsAt: Date, expiresAt: Date) => {
      const id = randomUUID();
      return client
        .query(
          `insert into booking (id, user_id, workspace_id, workspace_name, status, starts_at, ends_at, price_amount, price_currency,
             expires_at, created_at, updated_at) values ($1, $2, $3, 'Desk C3', $4, $5, $6, 100, 'EUR', $7, now(), now())`,
          [id, alice.userId, desk.workspaceId, status, startsAt, endsAt, expiresAt],
        )
        .then(() => id);
    };
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    const lostHold = await insert('PENDING_PAYMENT', hoursFromNow(48), hoursFromNow(49), minutesAgo(5));
    const freshHold = await insert('PENDING_PAYMENT', hoursFromNow(50), hoursFromNow(51), new Date(Date.now() + 3600_000));
    const ended = await insert('CONFIRMED', minutesAgo(120), minutesAgo(60), minutesAgo(180));
    await client.end();

    await h.server.jobs.add(SWEEP, {});
    await waitFor(async () => (await statusOf(lostHold)) === 'EXPIRED' && (await statusOf(ended)) === 'COMPLETED', { what: 'the sweep' });
    expect(await statusOf(freshHold)).toBe('PENDING_PAYMENT');
    const types = await waitFor(async () => {
      const all = [...(await h.eventsOf(lostHold)), ...(await h.eventsOf(ended))].map((e) => e.type);
      return all.length === 2 && all;
    });
    expect(types.sort()).toEqual(['booking.completed', 'booking.expired']);
  });
});
