import { loadConfig } from '@atrium/kit';
import { type BookingSnapshot } from '@atrium/kit/subgraph';
import { createTestDatabase, createTestEvents, createTestIssuer, testLogger, waitFor, type TestDatabase, type TestEvents } from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import { BookingReplica } from './booking/booking-replica.entity';
import { paymentEnv } from './config';
import { chargeJobId, chargeKey } from './payment/charging';
import { Payment, PaymentStatus } from './payment/payment.entity';
import { SimulatedProvider, TEST_CARDS } from './provider';
import { createServer, type PaymentServer } from './server';

/**
 * A payment left PROCESSING with no charge job that will run — the process died in
 * payForBooking between saving it and charging, or Redis lost the job — is charged again
 * within seconds by the `reconcile` job (the 5-minute sweeper is off here).
 */
jest.setTimeout(60_000);

let db: TestDatabase;
let events: TestEvents;
let provider: SimulatedProvider;
let server: PaymentServer;
const userId = randomUUID();

beforeAll(async () => {
  db = await createTestDatabase('payment_reconcile');
  events = createTestEvents('payment-reconcile');
  provider = new SimulatedProvider();
  const config = loadConfig(paymentEnv, { DATABASE_URL: db.url, PORT: '0', PAYMENT_SWEEP_CRON: 'off', PAYMENT_RECONCILE_MS: '300', ...events.env });
  server = await createServer(config, { verifier: (await createTestIssuer()).verifier, log: testLogger('payment'), provider });
});

afterAll(async () => {
  await server?.close();
  await events?.close();
  await db?.drop();
});

/** A booking payment knows of (from booking.created). */
async function newBooking(): Promise<BookingSnapshot> {
  const startsAt = new Date(Date.now() + 24 * 3600_000);
  const booking: BookingSnapshot = {
    bookingId: randomUUID(),
    userId,
    workspaceId: randomUUID(),
    workspaceName: 'Desk R1',
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 3600_000).toISOString(),
    price: { amount: 2500, currency: 'EUR' },
    status: 'PENDING_PAYMENT',
  };
  await events.publish('booking.created', booking);
  await waitFor(() => server.orm.em.fork().findOne(BookingReplica, { id: booking.bookingId }), { what: 'the booking replica' });
  return booking;
}

/** What payForBooking has committed when it dies before charging: a PROCESSING payment, no job. */
async function savedButNotCharged(id = randomUUID()): Promise<Payment> {
  const booking = await newBooking();
  const em = server.orm.em.fork();
  const payment = em.create(Payment, {
    id,
    bookingId: booking.bookingId,
    userId,
    status: PaymentStatus.PROCESSING,
    amountMinor: 2500,
    currency: 'EUR',
    last4: '4242',
    cardRef: await provider.saveCard({ number: TEST_CARDS.SUCCEEDS, expMonth: 12, expYear: new Date().getUTCFullYear() + 1, cvc: '123' }),
  });
  await em.flush();
  return payment;
}

const statusOf = async (id: string) => (await server.orm.em.fork().findOneOrFail(Payment, id)).status;
const charges = (id: string) => provider.calls().filter((c) => c.op === 'charge' && c.idempotencyKey === chargeKey(id));
const succeededEvents = async (id: string) =>
  (await events.all()).filter((e) => e.type === 'payment.succeeded' && (e.data as { paymentId: string }).paymentId === id);

describe('reconciling PROCESSING payments with their jobs', () => {
  it('charges, within seconds, a payment a crash left PROCESSING with no charge job', async () => {
    const payment = await savedButNotCharged();
    await waitFor(async () => (await statusOf(payment.id)) === PaymentStatus.SUCCEEDED, { timeoutMs: 15_000, what: 'the payment to succeed' });
    await waitFor(async () => (await succeededEvents(payment.id)).length === 1, { what: 'payment.succeeded' });
    expect(charges(payment.id).map((c) => c.outcome)).toEqual(['succeeded']);
  });

  it('charges a payment whose charge job already finished while the row still says PROCESSING', async () => {
    const id = randomUUID();
    // A job under the payment's job id that has failed for good: adding that id again is a no-op in BullMQ.
    await server.jobs.add('charge', { paymentId: 'not-a-payment', correlationId: 'x', actorId: null }, { jobId: chargeJobId(id), attempts: 1 });
    const queue = server.jobs.queue('charge');
    await waitFor(async () => (await queue.getJobState(chargeJobId(id).replace(/:/g, '.'))) === 'failed', { what: 'the old job to fail' });

    await savedButNotCharged(id);
    await waitFor(async () => (await statusOf(id)) === PaymentStatus.SUCCEEDED, { timeoutMs: 15_000, what: 'the payment to succeed' });
    expect(charges(id).map((c) => c.outcome)).toEqual(['succeeded']);
  });
});
