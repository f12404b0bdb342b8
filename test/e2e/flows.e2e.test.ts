import { errorCodes, graphql, waitFor } from '@atrium/kit/testing';
import { castOfUsers, register, startSupergraph, type RunningSupergraph, type Session } from '../support/supergraph';

let sg: RunningSupergraph;
let admin: Session;
let manager: Session;
let member: Session;
let workspaceId: string;

const CARD = { ok: '4242424242424242', declined: '4000000000000002', transient: '4000000000000119' };
const DAY = 24 * 3600_000;

/** A two-hour slot `days` from now at `hour`:00 UTC. */
function slot(days: number, hour: number, hours = 2) {
  const start = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) + days * DAY + hour * 3600_000);
  return { startsAt: start.toISOString(), endsAt: new Date(start.getTime() + hours * 3600_000).toISOString() };
}

const gql = (query: string, variables: Record<string, unknown>, token?: string, requestId?: string) =>
  graphql(sg.url, query, variables, { token, headers: requestId ? { 'x-request-id': requestId } : {} });

const CREATE = `mutation($input: CreateBookingInput!) { createBooking(input: $input) { id status price { amount currency } startsAt endsAt workspace { name } user { name } } }`;
const PAY = `mutation($input: PayForBookingInput!) { payForBooking(input: $input) { id status last4 amount { amount currency } failureReason } }`;
const BOOKING = `query($id: ID!) { booking(id: $id) { status payment { status last4 } } }`;

const book = (token: string, when: ReturnType<typeof slot>, requestId?: string) => gql(CREATE, { input: { workspaceId, ...when } }, token, requestId);
const pay = (token: string, bookingId: string, number: string, requestId?: string) =>
  gql(PAY, { input: { bookingId, card: { number, expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' } } }, token, requestId);
const bookingOf = async (token: string, id: string) => (await gql(BOOKING, { id }, token)).data?.booking;
const statusBecomes = (token: string, id: string, status: string) =>
  waitFor(async () => (await bookingOf(token, id))?.status === status, { what: `booking ${id} to become ${status}` });
const actions = async (correlationId: string) =>
  ((await gql(`query($c: String) { activityLog(first: 50, filter: { correlationId: $c }) { edges { node { action } } } }`, { c: correlationId }, admin.accessToken)).data
    ?.activityLog.edges ?? []).map((e: { node: { action: string } }) => e.node.action).sort();
const mailTo = (userEmail: string, subject: RegExp) => sg.mail.waitFor((m) => m.to.includes(userEmail) && subject.test(m.subject), 15_000);

beforeAll(async () => {
  sg = await startSupergraph();
  ({ admin, manager, member } = await castOfUsers(sg.url));
  const location = await gql(`mutation { createLocation(input: { name: "Atrium Opéra", city: "Paris", address: "1 rue Auber", timezone: "Europe/Paris" }) { id } }`, {}, manager.accessToken);
  const ws = await gql(
    `mutation($l: ID!) { createWorkspace(input: { locationId: $l, name: "Board room", kind: MEETING_ROOM, capacity: 8, hourlyRate: { amount: 1200, currency: "EUR" } }) { id } }`,
    { l: location.data!.createLocation.id },
    manager.accessToken,
    'req-create-workspace',
  );
  workspaceId = ws.data!.createWorkspace.id;
  // booking learns about workspaces from catalog's events: wait until it knows this one.
  await waitFor(async () => {
    const res = await book(member.accessToken, slot(300, 8, 1));
    if (res.data) await gql(`mutation($id: ID!) { cancelBooking(id: $id) { id } }`, { id: res.data.createBooking.id }, member.accessToken);
    return !!res.data;
  }, { what: 'booking to know the workspace' });
});

afterAll(async () => {
  await sg?.close();
});

describe('the business flows, end to end through the gateway', () => {
  it('1. registration: welcome e-mail, and the audit trail names the request', async () => {
    await gql(`mutation { register(input: { email: "ada@example.com", password: "correct-horse-battery", name: "Ada" }) { user { id } } }`, {}, undefined, 'req-register-ada');
    const mail = await mailTo('ada@example.com', /Welcome to Atrium, Ada/);
    expect(mail.text).toMatch(/Ada/);
    await waitFor(async () => (await actions('req-register-ada')).includes('user.registered'));
  });

  it('2. workspace creation reaches the audit trail', async () => {
    expect(await waitFor(() => actions('req-create-workspace'))).toEqual(['workspace.created']);
  });

  it('3–4. booking then paying: PENDING_PAYMENT → CONFIRMED, receipt and confirmation e-mails, revenue, one correlation id per request', async () => {
    const created = await book(member.accessToken, slot(3, 10), 'req-book');
    expect(created.errors).toBeUndefined();
    const booking = created.data!.createBooking;
    expect(booking).toMatchObject({ status: 'PENDING_PAYMENT', price: { amount: 2400, currency: 'EUR' }, workspace: { name: 'Board room' }, user: { name: 'Mia Member' } });

    const conflict = await book(admin.accessToken, slot(3, 11));
    expect(errorCodes(conflict)).toEqual(['BOOKING_CONFLICT']);

    const paid = await pay(member.accessToken, booking.id, CARD.ok, 'req-pay');
    expect(paid.data!.payForBooking).toMatchObject({ status: 'SUCCEEDED', last4: '4242', amount: { amount: 2400, currency: 'EUR' } });
    await statusBecomes(member.accessToken, booking.id, 'CONFIRMED');
    expect(await bookingOf(member.accessToken, booking.id)).toEqual({ status: 'CONFIRMED', payment: { status: 'SUCCEEDED', last4: '4242' } });

    const confirmation = await mailTo('member@atrium.test', /Booking confirmed: Board room/);
    expect(confirmation.text).toMatch(/€24\.00/);
    await mailTo('member@atrium.test', /Payment received: €24\.00/);

    await waitFor(async () => (await actions('req-book')).includes('booking.created'));
    await waitFor(async () => (await actions('req-pay')).length === 3);
    expect(await actions('req-pay')).toEqual(['booking.confirmed', 'payment.started', 'payment.succeeded']);

    const today = new Date().toISOString().slice(0, 10);
    const stats = await gql(`query($d: Date!) { dailyStats(from: $d, to: $d) { bookings confirmed revenue { amount currency } } }`, { d: today }, manager.accessToken);
    expect(stats.data!.dailyStats[0].revenue).toEqual(expect.arrayContaining([{ amount: expect.any(Number), currency: 'EUR' }]));
    expect(stats.data!.dailyStats[0].confirmed).toBeGreaterThanOrEqual(1);
  });

  it('5. cancellation: CANCELLED, refunded once, e-mail, and the audit trail under the cancelling request', async () => {
    const booking = (await book(member.accessToken, slot(4, 10))).data!.createBooking;
    await pay(member.accessToken, booking.id, CARD.ok);
    await statusBecomes(member.accessToken, booking.id, 'CONFIRMED');
    const cancelled = await gql(`mutation($id: ID!) { cancelBooking(id: $id, reason: "plans changed") { status } }`, { id: booking.id }, member.accessToken, 'req-cancel');
    expect(cancelled.data!.cancelBooking.status).toBe('CANCELLED');
    await waitFor(async () => (await bookingOf(member.accessToken, booking.id))?.payment?.status === 'REFUNDED', { what: 'the refund' });
    await mailTo('member@atrium.test', /Booking cancelled: Board room/);
    await mailTo('member@atrium.test', /Refund issued: €24\.00/);
    await waitFor(async () => (await actions('req-cancel')).length === 2);
    expect(await actions('req-cancel')).toEqual(['booking.cancelled', 'payment.refunded']);
    // The slot is free again.
    expect((await book(admin.accessToken, slot(4, 10))).data!.createBooking.status).toBe('PENDING_PAYMENT');
  });

  it('a declined card fails the booking with PAYMENT_DECLINED and frees the slot', async () => {
    const booking = (await book(member.accessToken, slot(5, 10))).data!.createBooking;
    const declined = await pay(member.accessToken, booking.id, CARD.declined);
    expect(errorCodes(declined)).toEqual(['PAYMENT_DECLINED']);
    await statusBecomes(member.accessToken, booking.id, 'PAYMENT_FAILED');
    await mailTo('member@atrium.test', /Payment failed: Board room/);
    expect((await book(admin.accessToken, slot(5, 10))).data!.createBooking.status).toBe('PENDING_PAYMENT');
  });

  it('a transient provider failure is retried until the payment succeeds', async () => {
    const booking = (await book(member.accessToken, slot(6, 10))).data!.createBooking;
    const first = await pay(member.accessToken, booking.id, CARD.transient);
    expect(first.data!.payForBooking.status).toBe('PROCESSING');
    await statusBecomes(member.accessToken, booking.id, 'CONFIRMED');
    expect((await bookingOf(member.accessToken, booking.id)).payment.status).toBe('SUCCEEDED');
  });

  it('refuses to pay a booking twice, or someone else’s booking', async () => {
    const booking = (await book(member.accessToken, slot(7, 10))).data!.createBooking;
    const other = await register(sg.url, 'eve@example.com', 'Eve');
    expect(errorCodes(await pay(other.accessToken, booking.id, CARD.ok))).toEqual(['FORBIDDEN']);
    await pay(member.accessToken, booking.id, CARD.ok);
    const again = await pay(member.accessToken, booking.id, CARD.ok);
    expect(['CONFLICT', 'BAD_USER_INPUT']).toContain(errorCodes(again)[0]);
    expect(errorCodes(again)).toHaveLength(1);
    expect(errorCodes(await gql(BOOKING, { id: booking.id }, other.accessToken))).toEqual(['FORBIDDEN']);
  });

  it('gives exactly one of 100 concurrent requests for one slot, and BOOKING_CONFLICT to the 99 others', async () => {
    const when = slot(9, 14);
    const results = await Promise.all(Array.from({ length: 100 }, () => book(member.accessToken, when)));
    const codes = results.map((r) => (r.errors ? r.errors[0].extensions?.code : 'OK'));
    expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
    expect(codes.filter((c) => c === 'BOOKING_CONFLICT')).toHaveLength(99);
    expect(results.every((r) => r.status === 200)).toBe(true);
  });

  it('lets bookings touch end to start, and keeps workspaces apart', async () => {
    expect((await book(member.accessToken, slot(10, 8))).data!.createBooking.status).toBe('PENDING_PAYMENT');
    expect((await book(member.accessToken, slot(10, 10))).data!.createBooking.status).toBe('PENDING_PAYMENT'); // 10:00 = previous end
    expect(errorCodes(await book(member.accessToken, slot(10, 9)))).toEqual(['BOOKING_CONFLICT']);
    const locations = await gql(`{ locations { id } }`, {});
    const other = await gql(
      `mutation($l: ID!) { createWorkspace(input: { locationId: $l, name: "Side room", kind: MEETING_ROOM, capacity: 4, hourlyRate: { amount: 900, currency: "EUR" } }) { id } }`,
      { l: locations.data!.locations[0].id },
      manager.accessToken,
    );
    const sameSlotElsewhere = await waitFor(async () =>
      (await gql(CREATE, { input: { workspaceId: other.data!.createWorkspace.id, ...slot(10, 9) } }, member.accessToken)).data?.createBooking,
    );
    expect(sameSlotElsewhere.status).toBe('PENDING_PAYMENT');
  });

  it('has a redelivered event take effect once: one e-mail, one refund, one audit line', async () => {
    const booking = (await book(member.accessToken, slot(11, 10))).data!.createBooking;
    await pay(member.accessToken, booking.id, CARD.ok);
    await statusBecomes(member.accessToken, booking.id, 'CONFIRMED');
    await gql(`mutation($id: ID!) { cancelBooking(id: $id) { status } }`, { id: booking.id }, member.accessToken, 'req-redeliver');
    await waitFor(async () => (await actions('req-redeliver')).length === 2);
    const cancelled = (await sg.events.all()).find((e) => e.type === 'booking.cancelled' && (e.data as { bookingId: string }).bookingId === booking.id)!;
    const day = new Date(slot(11, 10).startsAt).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
    const isThisCancellation = (m: { to: string[]; subject: string }) => m.to.includes('member@atrium.test') && m.subject.startsWith(`Booking cancelled: Board room, ${day}`);
    await sg.mail.waitFor(isThisCancellation, 15_000);

    // The same event again, as a crashed consumer's redelivery would bring it to every group.
    await sg.events.publish('booking.cancelled', cancelled.data as never, cancelled);
    await new Promise((r) => setTimeout(r, 1_500));

    expect(sg.mail.messages.filter(isThisCancellation)).toHaveLength(1);
    expect((await bookingOf(member.accessToken, booking.id)).payment.status).toBe('REFUNDED');
    expect((await sg.events.all()).filter((e) => e.type === 'payment.refunded' && (e.data as { bookingId: string }).bookingId === booking.id)).toHaveLength(1);
    expect(await actions('req-redeliver')).toEqual(['booking.cancelled', 'payment.refunded']);
  });
});
