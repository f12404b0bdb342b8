import type { WorkspaceSnapshot } from '@atrium/kit/subgraph';
import { errorCodes } from '@atrium/kit/testing';
import { CANCEL, CREATE, hoursFromNow, range, startBooking, type Harness } from '../testing/harness';

let h: Harness;
let desk: WorkspaceSnapshot;
let alice: { userId: string; token: string };
let bob: { userId: string; token: string };
let manager: { userId: string; token: string };

beforeAll(async () => {
  h = await startBooking('booking_recent', { BOOKING_SWEEP_CRON: 'off' });
  desk = await h.addWorkspace({ name: 'Desk R1' });
  alice = await h.member();
  bob = await h.member();
  manager = await h.manager();
});

afterAll(async () => {
  await h?.close();
});

const RECENT = `query($first: Int) { recentBookings(first: $first) { id status updatedAt user { id } } }`;
type Row = { id: string; status: string; updatedAt: string; user: { id: string } };

async function recent(token: string, first?: number): Promise<Row[]> {
  const res = await h.gql<{ recentBookings: Row[] }>(RECENT, first === undefined ? {} : { first }, token);
  expect(res.errors).toBeUndefined();
  return res.data!.recentBookings;
}

async function book(who: { token: string }, hours: number): Promise<string> {
  const res = await h.gql(CREATE, { input: range(desk.workspaceId, hoursFromNow(hours)) }, who.token);
  if (res.errors) throw new Error(`createBooking failed: ${JSON.stringify(res.errors)}`);
  return res.data!.createBooking.id;
}

describe('recentBookings', () => {
  let ids: string[];

  beforeAll(async () => {
    ids = [];
    // Alternating owners, one after the other: creation order is change order.
    for (let i = 0; i < 6; i++) ids.push(await book(i % 2 === 0 ? alice : bob, 24 + i));
  });

  it('gives a manager every booking, the last changed first', async () => {
    const rows = await recent(manager.token);
    expect(rows.map((r) => r.id)).toEqual([...ids].reverse());
    const times = rows.map((r) => Date.parse(r.updatedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("gives a member only their own, as bookingUpdated does", async () => {
    const rows = await recent(alice.token);
    expect(rows.map((r) => r.id)).toEqual([ids[4], ids[2], ids[0]]);
    expect(rows.every((r) => r.user.id === alice.userId)).toBe(true);
  });

  it('puts a booking that just changed on top, and keeps to `first`', async () => {
    const cancelled = await h.gql(CANCEL, { id: ids[1] }, bob.token);
    expect(cancelled.errors).toBeUndefined();
    const rows = await recent(manager.token, 3);
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      [ids[1], 'CANCELLED'],
      [ids[5], 'PENDING_PAYMENT'],
      [ids[4], 'PENDING_PAYMENT'],
    ]);
  });

  it('refuses a `first` outside 1..100 naming it, and an anonymous caller', async () => {
    for (const first of [0, -1, 101]) {
      const res = await h.gql(RECENT, { first }, manager.token);
      expect(res.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'first' }) })]);
    }
    expect(errorCodes(await h.gql(RECENT, {}))).toEqual(['UNAUTHENTICATED']);
  });

  it('has an index that reads them in order, without sorting the table', async () => {
    // So few rows make a scan cheaper: forbid it to see that the index serves the query.
    const plan = await h.server.orm.em.fork().transactional(async (em) => {
      await em.execute('set local enable_seqscan = off');
      return em.execute<{ 'QUERY PLAN': string }[]>(`explain select * from "booking" order by "updated_at" desc, "id" desc limit 50`);
    });
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('booking_updated_at_index');
    expect(text).not.toMatch(/\bSort\b/);
  });
});
