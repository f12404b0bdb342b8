import { errorCodes, graphql, waitFor } from '@atrium/kit/testing';
import { castOfUsers, startSupergraph, type RunningSupergraph, type Session } from '../support/supergraph';

// Holds expire after 2 seconds here (15 minutes by default).
let sg: RunningSupergraph;
let member: Session;
let admin: Session;
let workspaceId: string;

beforeAll(async () => {
  sg = await startSupergraph({ BOOKING_HOLD_TTL: '2' });
  let manager: Session;
  ({ member, admin, manager } = await castOfUsers(sg.url));
  const loc = await graphql(sg.url, `mutation { createLocation(input: { name: "L", city: "Nice", address: "A", timezone: "Europe/Paris" }) { id } }`, {}, { token: manager.accessToken });
  const ws = await graphql(
    sg.url,
    `mutation($l: ID!) { createWorkspace(input: { locationId: $l, name: "Sea view", kind: HOTEL_ROOM, capacity: 2, hourlyRate: { amount: 3000, currency: "EUR" } }) { id } }`,
    { l: loc.data!.createLocation.id },
    { token: manager.accessToken },
  );
  workspaceId = ws.data!.createWorkspace.id;
});

afterAll(async () => {
  await sg?.close();
});

const when = () => {
  const start = Date.UTC(new Date().getUTCFullYear() + 1, 5, 1, 9);
  return { startsAt: new Date(start).toISOString(), endsAt: new Date(start + 3600_000).toISOString() };
};
const book = (token: string) =>
  graphql(sg.url, `mutation($input: CreateBookingInput!) { createBooking(input: $input) { id status } }`, { input: { workspaceId, ...when() } }, { token });

describe('an unpaid hold', () => {
  it('expires on its own, frees the slot, tells the member, and can no longer be paid', async () => {
    const held = await waitFor(async () => (await book(member.accessToken)).data?.createBooking);
    expect(held.status).toBe('PENDING_PAYMENT');
    expect(errorCodes(await book(admin.accessToken))).toEqual(['BOOKING_CONFLICT']);

    await waitFor(
      async () => (await graphql(sg.url, `query($id: ID!) { booking(id: $id) { status } }`, { id: held.id }, { token: member.accessToken })).data?.booking.status === 'EXPIRED',
      { what: 'the hold to expire' },
    );
    await sg.mail.waitFor((m) => m.to.includes('member@atrium.test') && /Booking expired: Sea view/.test(m.subject), 15_000);
    expect((await book(admin.accessToken)).data?.createBooking.status).toBe('PENDING_PAYMENT');

    const late = await graphql(
      sg.url,
      `mutation($input: PayForBookingInput!) { payForBooking(input: $input) { status } }`,
      { input: { bookingId: held.id, card: { number: '4242424242424242', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' } } },
      { token: member.accessToken },
    );
    expect(errorCodes(late)).toEqual(['BAD_USER_INPUT']);
    expect(late.errors![0].message).toMatch(/EXPIRED/);
  });
});
