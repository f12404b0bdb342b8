import { loadConfig } from '@atrium/kit';
import { countStatements, type BookingSnapshot, type EventEnvelope } from '@atrium/kit/subgraph';
import {
  createTestDatabase,
  createTestEvents,
  createTestIssuer,
  errorCodes,
  graphql,
  testLogger,
  waitFor,
  type GraphQLResponse,
  type TestDatabase,
  type TestEvents,
  type TestIssuer,
} from '@atrium/kit/testing';
import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { BookingReplica } from './booking/booking-replica.entity';
import { paymentEnv } from './config';
import { chargeKey, refundKey } from './payment/charging';
import { Payment, PaymentStatus } from './payment/payment.entity';
import { STUCK_AFTER_MS, sweep } from './payment/payment.jobs';
import { SimulatedProvider, TEST_CARDS } from './provider';
import { createServer, type PaymentServer } from './server';

jest.setTimeout(30_000);

/** Every card number this suite sends: none may be found anywhere afterwards. */
const UNSUPPORTED_CARD = '5555555555554444';
const ALL_CARDS = [TEST_CARDS.SUCCEEDS, TEST_CARDS.DECLINED, TEST_CARDS.TRANSIENT_ONCE, UNSUPPORTED_CARD, '4242424242424241'];

let db: TestDatabase;
let events: TestEvents;
let issuer: TestIssuer;
let provider: SimulatedProvider;
let server: PaymentServer;
let url: string;
const logLines: string[] = [];
const ownerId = randomUUID();
const otherId = randomUUID();
let owner: string;
let other: string;
let manager: string;

const PAY = `mutation($input: PayForBookingInput!) {
  payForBooking(input: $input) { id status amount { amount currency } last4 failureReason attempts booking { id } user { id } createdAt succeededAt }
}`;
const PAYMENT = `query($id: ID!) { payment(id: $id) { id status attempts failureReason refundedAt last4 } }`;
const BOOKING_PAYMENTS = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Booking { id payment { id status failureReason amount { amount } } } } }`;
const USER_PAYMENTS = `query($reps: [_Any!]!, $first: Int, $after: String) {
  _entities(representations: $reps) { ... on User { payments(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } }
}`;

const nextYear = new Date().getUTCFullYear() + 1;
const card = (number: string) => ({ number, expMonth: 12, expYear: nextYear, cvc: '123' });

const replica = (id: string) => server.orm.em.fork().findOne(BookingReplica, { id });
const paymentsOf = (bookingId: string) => server.orm.em.fork().find(Payment, { bookingId }, { orderBy: { createdAt: 'asc' } });

function snapshot(userId: string, overrides: Partial<BookingSnapshot> = {}): BookingSnapshot {
  const startsAt = new Date(Date.now() + 24 * 3600_000);
  return {
    bookingId: randomUUID(),
    userId,
    workspaceId: randomUUID(),
    workspaceName: 'Desk A1',
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 2 * 3600_000).toISOString(),
    price: { amount: 4500, currency: 'EUR' },
    status: 'PENDING_PAYMENT',
    ...overrides,
  };
}

/** A booking as booking's `booking.created` event announces it, once payment has it. */
async function newBooking(userId = ownerId, overrides: Partial<BookingSnapshot> = {}): Promise<BookingSnapshot> {
  const booking = snapshot(userId, overrides);
  await events.publish('booking.created', booking);
  await waitFor(() => replica(booking.bookingId), { what: 'the booking replica' });
  return booking;
}

const pay = (bookingId: string, number: string, token = owner, headers: Record<string, string> = {}) =>
  graphql(url, PAY, { input: { bookingId, card: card(number) } }, { token, headers });

/** Events this subgraph published (through its outbox and relay) about `paymentId`. */
const paymentEvents = async (paymentId: string) =>
  (await events.all()).filter((e) => e.type.startsWith('payment.') && (e.data as { paymentId: string }).paymentId === paymentId);

const providerCalls = (op: 'charge' | 'refund', key: string) => provider.calls().filter((c) => c.op === op && c.idempotencyKey === key);

/** Waits until none of the subgraph's queues has work left (so "exactly once" is final). */
async function queuesIdle() {
  await waitFor(
    async () => {
      for (const name of ['charge', 'refund']) {
        const counts = await server.jobs.queue(name).getJobCounts('active', 'waiting', 'delayed', 'prioritized');
        if (Object.values(counts).some((n) => n > 0)) return false;
      }
      return true;
    },
    { what: 'idle job queues' },
  );
}

/** Waits until payment's consumer group has handled every entry on the stream. */
async function consumerCaughtUp() {
  const redis = new IORedis(events.env.REDIS_URL);
  try {
    await waitFor(
      async () => {
        const groups = (await redis.xinfo('GROUPS', events.env.EVENTS_STREAM)) as (string | number)[][];
        const info = groups.map((g) => Object.fromEntries(g.reduce<[string, unknown][]>((acc, v, i) => (i % 2 ? acc : [...acc, [String(v), g[i + 1]]]), [])));
        const payment = info.find((g) => g.name === 'payment');
        return payment && payment.pending === 0 && payment.lag === 0;
      },
      { what: "payment's consumer to catch up" },
    );
  } finally {
    redis.disconnect();
  }
}

beforeAll(async () => {
  db = await createTestDatabase('payment');
  events = createTestEvents('payment');
  issuer = await createTestIssuer();
  provider = new SimulatedProvider();
  const config = loadConfig(paymentEnv, { DATABASE_URL: db.url, PORT: '0', PAYMENT_SWEEP_CRON: 'off', PAYMENT_RECONCILE_MS: '0', ...events.env });
  // Everything the subgraph logs, at every level: scanned for card numbers at the end.
  const log = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
  server = await createServer(config, { verifier: issuer.verifier, log, provider });
  url = `${server.url}/graphql`;
  owner = await issuer.token({ userId: ownerId });
  other = await issuer.token({ userId: otherId });
  manager = await issuer.token({ roles: ['MANAGER'] });
});

afterAll(async () => {
  await server?.close();
  await events?.close();
  await db?.drop();
});

describe('paying a booking', () => {
  it('charges the success card: SUCCEEDED at the booking price, last4 only, and payment.started then payment.succeeded with the request id', async () => {
    const booking = await newBooking(ownerId, { price: { amount: 12_345, currency: 'EUR' } });
    const requestId = randomUUID();
    const res = await pay(booking.bookingId, '4242 4242 4242 4242', owner, { 'x-request-id': requestId });
    expect(res.errors).toBeUndefined();
    const payment = res.data!.payForBooking;
    expect(payment).toMatchObject({
      status: 'SUCCEEDED',
      amount: { amount: 12_345, currency: 'EUR' },
      last4: '4242',
      failureReason: null,
      attempts: 1,
      booking: { id: booking.bookingId },
      user: { id: ownerId },
    });
    expect(payment.succeededAt).toEqual(expect.any(String));

    const [started, event] = await waitFor(async () => {
      const found = await paymentEvents(payment.id);
      return found.length === 2 ? found : null;
    }, { what: 'payment.started and payment.succeeded on the stream' });
    // Started (PROCESSING) first, in the transaction that saved it: booking keeps the hold meanwhile.
    expect(started).toMatchObject({ type: 'payment.started', correlationId: requestId, data: { paymentId: payment.id, status: 'PROCESSING' } });
    expect(event).toMatchObject({
      type: 'payment.succeeded',
      producer: 'payment',
      correlationId: requestId,
      actorId: ownerId,
      data: { paymentId: payment.id, bookingId: booking.bookingId, userId: ownerId, amount: { amount: 12_345, currency: 'EUR' }, last4: '4242', status: 'SUCCEEDED' },
    });
  });

  it('declines 4000000000000002 with PAYMENT_DECLINED, keeps the FAILED payment and emits payment.failed', async () => {
    const booking = await newBooking();
    const res = await pay(booking.bookingId, TEST_CARDS.DECLINED);
    expect(errorCodes(res)).toEqual(['PAYMENT_DECLINED']);
    expect(res.errors![0].message).toContain('card declined');
    expect(res.errors![0].extensions!.reason).toBe('card declined');

    const [stored] = await paymentsOf(booking.bookingId);
    expect(stored).toMatchObject({ status: PaymentStatus.FAILED, failureReason: 'card declined', last4: '0002', attempts: 1 });
    const failed = await waitFor(async () => (await paymentEvents(stored.id)).find((e) => e.type === 'payment.failed'), { what: 'payment.failed' });
    expect(failed.data).toMatchObject({ reason: 'card declined', declined: true, status: 'FAILED', bookingId: booking.bookingId });

    const view = await graphql(url, BOOKING_PAYMENTS, { reps: [{ __typename: 'Booking', id: booking.bookingId }] }, { token: owner });
    expect(view.data!._entities[0].payment).toMatchObject({ id: stored.id, status: 'FAILED', failureReason: 'card declined' });

    // The decline fails the booking: paying it again is refused even before booking says so.
    const again = await pay(booking.bookingId, TEST_CARDS.SUCCEEDS);
    expect(again.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.bookingId' });
    expect(again.errors![0].message).toContain('booking is PAYMENT_FAILED');
  });

  it('declines any other valid card number as an unsupported test card', async () => {
    const booking = await newBooking();
    const res = await pay(booking.bookingId, UNSUPPORTED_CARD);
    expect(errorCodes(res)).toEqual(['PAYMENT_DECLINED']);
    expect(res.errors![0].message).toContain('unsupported test card');
    expect((await paymentsOf(booking.bookingId)).map((p) => [p.status, p.last4])).toEqual([[PaymentStatus.FAILED, '4444']]);
  });

  it('returns PROCESSING for 4000000000000119 and the charge job makes it SUCCEEDED on the second attempt', async () => {
    const booking = await newBooking();
    const requestId = randomUUID();
    const res = await pay(booking.bookingId, TEST_CARDS.TRANSIENT_ONCE, owner, { 'x-request-id': requestId });
    expect(res.errors).toBeUndefined();
    expect(res.data!.payForBooking).toMatchObject({ status: 'PROCESSING', attempts: 1, last4: '0119' });
    const id = res.data!.payForBooking.id as string;

    const done = await waitFor(async () => {
      const r = await graphql(url, PAYMENT, { id }, { token: owner });
      return r.data?.payment.status === 'SUCCEEDED' ? r.data.payment : null;
    }, { what: 'the retried charge' });
    expect(done).toMatchObject({ status: 'SUCCEEDED', attempts: 2, failureReason: null });
    expect(providerCalls('charge', chargeKey(id)).map((c) => c.outcome)).toEqual(['transient', 'succeeded']);

    const succeeded = await waitFor(async () => (await paymentEvents(id)).filter((e) => e.type === 'payment.succeeded'), { what: 'payment.succeeded' });
    await queuesIdle();
    expect(succeeded).toHaveLength(1);
    // The job carries the request's correlation id on to the event it records.
    expect(succeeded[0]).toMatchObject({ correlationId: requestId, actorId: ownerId });
  });

  it('rejects bad card fields with BAD_USER_INPUT naming each field, and writes nothing', async () => {
    const booking = await newBooking();
    const res = await graphql(
      url,
      PAY,
      { input: { bookingId: booking.bookingId, card: { number: '4242424242424241', expMonth: 1, expYear: 2020, cvc: '12' } } },
      { token: owner },
    );
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].extensions!.field).toBe('input.card.number');
    expect((res.errors![0].extensions!.fields as { field: string }[]).map((f) => f.field)).toEqual([
      'input.card.number',
      'input.card.expYear',
      'input.card.cvc',
    ]);
    expect(JSON.stringify(res.errors)).not.toContain('4242424242424241');

    const expiredMonth = new Date();
    expiredMonth.setUTCDate(1);
    expiredMonth.setUTCMonth(expiredMonth.getUTCMonth() - 1);
    const pastMonth = await graphql(
      url,
      PAY,
      { input: { bookingId: booking.bookingId, card: { ...card(TEST_CARDS.SUCCEEDS), expMonth: expiredMonth.getUTCMonth() + 1, expYear: expiredMonth.getUTCFullYear() } } },
      { token: owner },
    );
    expect(pastMonth.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: expect.stringMatching(/^input\.card\.exp(Month|Year)$/) });

    const badMonth = await graphql(url, PAY, { input: { bookingId: booking.bookingId, card: { ...card(TEST_CARDS.SUCCEEDS), expMonth: 13 } } }, { token: owner });
    expect(badMonth.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.card.expMonth' });

    const malformedId = await graphql(url, PAY, { input: { bookingId: 'not-a-uuid', card: card(TEST_CARDS.SUCCEEDS) } }, { token: owner });
    expect(malformedId.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.bookingId' });

    expect(await paymentsOf(booking.bookingId)).toEqual([]);
  });

  it('refuses to pay a booking twice with CONFLICT, also when two payments race', async () => {
    const booking = await newBooking();
    expect((await pay(booking.bookingId, TEST_CARDS.SUCCEEDS)).data!.payForBooking.status).toBe('SUCCEEDED');
    const again = await pay(booking.bookingId, TEST_CARDS.SUCCEEDS);
    expect(errorCodes(again)).toEqual(['CONFLICT']);
    expect(again.errors![0].message).toContain('already paid');

    const raced = await newBooking();
    const results = await Promise.all([1, 2, 3, 4].map(() => pay(raced.bookingId, TEST_CARDS.SUCCEEDS)));
    expect(results.filter((r) => r.data?.payForBooking?.status === 'SUCCEEDED')).toHaveLength(1);
    expect(results.flatMap(errorCodes).sort()).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT']);
    expect((await paymentsOf(raced.bookingId)).map((p) => p.status)).toEqual([PaymentStatus.SUCCEEDED]);
  });

  it("forbids paying someone else's booking, and asks for a signed-in caller", async () => {
    const booking = await newBooking(ownerId);
    const res = await pay(booking.bookingId, TEST_CARDS.SUCCEEDS, other);
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    const anonymous = await graphql(url, PAY, { input: { bookingId: booking.bookingId, card: card(TEST_CARDS.SUCCEEDS) } });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(await paymentsOf(booking.bookingId)).toEqual([]);
  });

  it('only pays PENDING_PAYMENT bookings: anything else is BAD_USER_INPUT on input.bookingId', async () => {
    const booking = await newBooking();
    await events.publish('booking.expired', { ...booking, status: 'EXPIRED' });
    await waitFor(async () => (await replica(booking.bookingId))?.status === 'EXPIRED', { what: 'the expiry' });
    const res = await pay(booking.bookingId, TEST_CARDS.SUCCEEDS);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.bookingId' });
    expect(res.errors![0].message).toBe('input.bookingId: booking is EXPIRED');
  });

  it('ignores a booking event older than what the replica already reflects', async () => {
    const booking = await newBooking();
    const later = new Date(Date.now() + 1_000).toISOString();
    await events.publish('booking.confirmed', { ...booking, status: 'CONFIRMED' }, { occurredAt: later });
    await waitFor(async () => (await replica(booking.bookingId))?.status === 'CONFIRMED', { what: 'the confirmation' });
    // booking.created delivered again, late: the booking stays CONFIRMED.
    const stale = await events.publish('booking.created', booking, { occurredAt: new Date(Date.now() - 60_000).toISOString() });
    await waitFor(async () => {
      const [row] = await server.orm.em.fork().getConnection().execute('select 1 from processed_event where event_id = ?', [stale.id]);
      return row;
    }, { what: 'the stale event to be handled' });
    expect((await replica(booking.bookingId))!.status).toBe('CONFIRMED');
  });

  it('waits for a booking whose event is late, and answers NOT_FOUND when it never comes', async () => {
    const booking = snapshot(ownerId);
    const paying = pay(booking.bookingId, TEST_CARDS.SUCCEEDS);
    await new Promise((r) => setTimeout(r, 300));
    await events.publish('booking.created', booking);
    const res = await paying;
    expect(res.errors).toBeUndefined();
    expect(res.data!.payForBooking.status).toBe('SUCCEEDED');

    const started = Date.now();
    const missing = await pay(randomUUID(), TEST_CARDS.SUCCEEDS);
    expect(errorCodes(missing)).toEqual(['NOT_FOUND']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
  });
});

describe('refunds', () => {
  it('refunds once when booking.cancelled is delivered twice and published twice', async () => {
    const booking = await newBooking();
    const paid = await pay(booking.bookingId, TEST_CARDS.SUCCEEDS);
    const id = paid.data!.payForBooking.id as string;
    const cancelled = { ...booking, status: 'CANCELLED', reason: 'plans changed', wasPaid: true };
    const correlationId = randomUUID();
    const first = await events.publish('booking.cancelled', cancelled, { correlationId });
    await events.publish('booking.cancelled', cancelled, { id: first.id, correlationId }); // redelivered: same event
    await events.publish('booking.cancelled', cancelled, { correlationId }); // published twice: another event

    const refunded = await waitFor(async () => {
      const r = await graphql(url, PAYMENT, { id }, { token: owner });
      return r.data?.payment.status === 'REFUNDED' ? r.data.payment : null;
    }, { what: 'the refund' });
    expect(refunded.refundedAt).toEqual(expect.any(String));
    await waitFor(async () => (await paymentEvents(id)).some((e) => e.type === 'payment.refunded'), { what: 'payment.refunded' });
    await consumerCaughtUp();
    await queuesIdle();

    expect(providerCalls('refund', refundKey(id))).toHaveLength(1);
    const refundEvents = (await paymentEvents(id)).filter((e) => e.type === 'payment.refunded');
    expect(refundEvents).toHaveLength(1);
    expect(refundEvents[0]).toMatchObject({ correlationId, data: { paymentId: id, status: 'REFUNDED', amount: { amount: 4500, currency: 'EUR' } } });
    const [stored] = await paymentsOf(booking.bookingId);
    expect(stored.refundRef).toMatch(/^simre_/);
  });

  it('refunds a payment that succeeded for a booking whose hold had expired', async () => {
    const booking = await newBooking();
    const paid = await pay(booking.bookingId, TEST_CARDS.SUCCEEDS);
    expect(paid.data!.payForBooking.status).toBe('SUCCEEDED');
    await events.publish('booking.expired', { ...booking, status: 'EXPIRED' });
    await waitFor(async () => (await paymentsOf(booking.bookingId))[0].status === PaymentStatus.REFUNDED, { what: 'the refund' });
  });

  it('refunds a payment still retrying when its booking expired, once the retry succeeds', async () => {
    const booking = await newBooking();
    const paid = await pay(booking.bookingId, TEST_CARDS.TRANSIENT_ONCE);
    expect(paid.data!.payForBooking.status).toBe('PROCESSING');
    await events.publish('booking.expired', { ...booking, status: 'EXPIRED' });
    const [refunded] = await waitFor(async () => {
      const rows = await paymentsOf(booking.bookingId);
      return rows[0]?.status === PaymentStatus.REFUNDED ? rows : null;
    }, { what: 'the refund' });
    expect(refunded.attempts).toBe(2);
    await queuesIdle();
    expect(providerCalls('refund', refundKey(refunded.id))).toHaveLength(1);
  });
});

describe('who sees which payment', () => {
  let ownPaymentId: string;
  let ownBookingId: string;

  beforeAll(async () => {
    const booking = await newBooking(ownerId);
    ownBookingId = booking.bookingId;
    ownPaymentId = (await pay(booking.bookingId, TEST_CARDS.SUCCEEDS)).data!.payForBooking.id;
  });

  it('shows a payment to its payer and to bookings:read, and FORBIDDEN to another member', async () => {
    expect((await graphql(url, PAYMENT, { id: ownPaymentId }, { token: owner })).data!.payment.id).toBe(ownPaymentId);
    expect((await graphql(url, PAYMENT, { id: ownPaymentId }, { token: manager })).data!.payment.id).toBe(ownPaymentId);
    expect(errorCodes(await graphql(url, PAYMENT, { id: ownPaymentId }, { token: other }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await graphql(url, PAYMENT, { id: ownPaymentId }))).toEqual(['UNAUTHENTICATED']);
    const malformed = await graphql(url, PAYMENT, { id: 'nope' }, { token: owner });
    expect(malformed.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect((await graphql(url, PAYMENT, { id: randomUUID() }, { token: owner })).data!.payment).toBeNull();
  });

  it("keeps Booking.payment and Payment references to the payer and bookings:read", async () => {
    const reps = [{ __typename: 'Booking', id: ownBookingId }];
    expect((await graphql(url, BOOKING_PAYMENTS, { reps }, { token: manager })).data!._entities[0].payment.id).toBe(ownPaymentId);
    expect(errorCodes(await graphql(url, BOOKING_PAYMENTS, { reps }, { token: other }))).toEqual(['FORBIDDEN']);
    const none = await graphql(url, BOOKING_PAYMENTS, { reps: [{ __typename: 'Booking', id: randomUUID() }] }, { token: owner });
    expect(none.data!._entities[0].payment).toBeNull();

    const ref = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Payment { id status } } }`;
    const paymentReps = [{ __typename: 'Payment', id: ownPaymentId }];
    expect((await graphql(url, ref, { reps: paymentReps }, { token: owner })).data!._entities).toEqual([{ id: ownPaymentId, status: 'SUCCEEDED' }]);
    expect((await graphql(url, ref, { reps: paymentReps }, { token: other })).data!._entities).toEqual([null]);
  });

  it("lists a user's payments newest first for the user and bookings:read only", async () => {
    const reps = [{ __typename: 'User', id: ownerId }];
    const all = await graphql(url, USER_PAYMENTS, { reps, first: 100 }, { token: owner });
    expect(all.errors).toBeUndefined();
    const { totalCount, edges } = all.data!._entities[0].payments;
    expect(totalCount).toBe(await server.orm.em.fork().count(Payment, { userId: ownerId }));
    expect(edges[0].node.id).toBe(ownPaymentId);

    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: GraphQLResponse = await graphql(url, USER_PAYMENTS, { reps, first: 3, after }, { token: manager });
      const conn = page.data!._entities[0].payments;
      seen.push(...conn.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(edges.map((e: { node: { id: string } }) => e.node.id));

    expect(errorCodes(await graphql(url, USER_PAYMENTS, { reps }, { token: other }))).toEqual(['FORBIDDEN']);
  });

  it('resolves Booking.payment for 50 bookings with one SQL statement', async () => {
    const em = server.orm.em.fork();
    const bookings = Array.from({ length: 50 }, () => snapshot(otherId));
    const ids = bookings.map((b) => b.bookingId);
    for (const [i, b] of bookings.entries()) {
      em.create(BookingReplica, {
        id: b.bookingId,
        userId: b.userId,
        workspaceId: b.workspaceId,
        workspaceName: b.workspaceName,
        priceAmount: 1000 + i,
        priceCurrency: 'EUR',
        status: 'CONFIRMED',
        startsAt: new Date(b.startsAt),
        endsAt: new Date(b.endsAt),
        lastEventAt: new Date(),
      });
    }
    await em.flush(); // the replicas first: payments reference them
    for (const [i, b] of bookings.entries()) {
      em.create(Payment, {
        bookingId: b.bookingId,
        userId: b.userId,
        status: PaymentStatus.SUCCEEDED,
        amountMinor: 1000 + i,
        currency: 'EUR',
        last4: '4242',
        cardRef: `simcard_ok_4242_${i}`,
        providerRef: `simch_${i}`,
      });
    }
    await em.flush();

    const counter = countStatements(server.orm);
    const res = await graphql(url, BOOKING_PAYMENTS, { reps: ids.map((id) => ({ __typename: 'Booking', id })) }, { token: manager });
    counter.stop();
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities.map((b: { payment: { amount: { amount: number } } }) => b.payment.amount.amount)).toEqual(ids.map((_, i) => 1000 + i));
    expect(counter.statements).toHaveLength(1); // kit leaves out the relay's background polling
    expect(counter.statements[0]).toMatch(/from "payment"/);
  });
});

describe('the sweeper', () => {
  it('settles a payment a crash left PROCESSING, and refunds a dead booking whose refund gave up', async () => {
    const em = server.orm.em.fork();
    const long = new Date(Date.now() - STUCK_AFTER_MS - 60_000);

    const stuckBooking = await newBooking();
    const stuck = em.create(Payment, {
      bookingId: stuckBooking.bookingId,
      userId: ownerId,
      status: PaymentStatus.PROCESSING,
      amountMinor: 4500,
      currency: 'EUR',
      last4: '4242',
      cardRef: await provider.saveCard({ number: TEST_CARDS.SUCCEEDS, expMonth: 12, expYear: nextYear, cvc: '123' }),
    });
    const deadBooking = await newBooking();
    const unrefunded = em.create(Payment, {
      bookingId: deadBooking.bookingId,
      userId: ownerId,
      status: PaymentStatus.SUCCEEDED,
      amountMinor: 4500,
      currency: 'EUR',
      last4: '4242',
      cardRef: 'simcard_ok_4242_x',
      providerRef: 'simch_sweeper',
    });
    await em.flush();
    const conn = em.getConnection();
    await conn.execute('update payment set updated_at = ? where id in (?, ?)', [long, stuck.id, unrefunded.id]);
    await conn.execute(`update booking_replica set status = 'CANCELLED', last_event_at = ? where id = ?`, [long, deadBooking.bookingId]);

    const result = await sweep(server.orm, provider, server.jobs, testLogger());
    expect(result).toEqual({ settled: 1, refunded: 1 });
    const after = server.orm.em.fork();
    expect(await after.findOneOrFail(Payment, stuck.id)).toMatchObject({ status: PaymentStatus.SUCCEEDED, attempts: 1 });
    expect(await after.findOneOrFail(Payment, unrefunded.id)).toMatchObject({ status: PaymentStatus.REFUNDED });
    await waitFor(async () => (await paymentEvents(stuck.id)).some((e) => e.type === 'payment.succeeded'), { what: 'payment.succeeded' });
    expect(await sweep(server.orm, provider, server.jobs, testLogger())).toEqual({ settled: 0, refunded: 0 });
  });
});

describe('card data', () => {
  it('is never stored, queued, published or logged: only last4 remains', async () => {
    await queuesIdle();
    const conn = server.orm.em.fork().getConnection();
    const tables = await conn.execute<{ table_name: string }[]>(`select table_name from information_schema.tables where table_schema = 'public'`);
    let everything = '';
    for (const { table_name } of tables) {
      const [{ text }] = await conn.execute(`select coalesce(string_agg(t::text, E'\\n'), '') as text from "${table_name}" t`);
      everything += text;
    }
    expect(everything).toContain('4242'); // the scan sees the payments (their last4)…
    expect(everything).toContain('0119');

    const published: EventEnvelope[] = await events.all();
    const redis = new IORedis(events.env.REDIS_URL);
    let queued = '';
    try {
      for (const key of await redis.keys(`${events.env.JOBS_PREFIX}:*`)) {
        const type = await redis.type(key);
        if (type === 'hash') queued += JSON.stringify(await redis.hgetall(key));
        else if (type === 'string') queued += await redis.get(key);
        else if (type === 'list') queued += (await redis.lrange(key, 0, -1)).join();
        else if (type === 'zset') queued += (await redis.zrange(key, 0, -1)).join();
        else if (type === 'set') queued += (await redis.smembers(key)).join();
        else if (type === 'stream') queued += JSON.stringify(await redis.xrange(key, '-', '+'));
      }
    } finally {
      redis.disconnect();
    }
    expect(queued).toContain('paymentId'); // …and the job data

    const logs = logLines.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const number of ALL_CARDS) {
      expect(everything).not.toContain(number);
      expect(JSON.stringify(published)).not.toContain(number);
      expect(queued).not.toContain(number);
      expect(logs).not.toContain(number);
    }
  });
});
