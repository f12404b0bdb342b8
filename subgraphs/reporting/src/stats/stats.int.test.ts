import { countStatements, type EventEnvelope } from '@atrium/kit/subgraph';
import { errorCodes, testLogger, waitFor } from '@atrium/kit/testing';
import { previousDay, utcDay } from '../common/dates';
import { project } from '../projection/projector';
import { bookingData, paymentData, startReporting, uuid, type Harness } from '../testing/harness';
import { DAILY_ROLLUP, DAILY_ROLLUP_PATTERN } from './daily-rollup.job';

let h: Harness;

beforeAll(async () => {
  h = await startReporting('reporting_stats');
});

afterAll(async () => {
  await h?.close();
});

const DAILY = `query($from: Date!, $to: Date!) {
  dailyStats(from: $from, to: $to) { date bookings cancellations confirmed newUsers revenue { amount currency } }
}`;
const daily = async (from: string, to: string) => {
  const res = await h.gql(DAILY, { from, to });
  expect(res.errors).toBeUndefined();
  return res.data!.dailyStats as Record<string, unknown>[];
};
const zeroDay = (date: string) => ({ date, bookings: 0, cancellations: 0, confirmed: 0, newUsers: 0, revenue: [] });
const user = () => ({ userId: uuid(), email: `${uuid()}@example.com`, name: 'Grace Hopper', roles: ['MEMBER'] });
const eur = (amount: number) => ({ amount, currency: 'EUR' });

describe('daily statistics', () => {
  it('counts bookings, cancellations, confirmations, new users and net revenue per UTC day, zero days included', async () => {
    const b1 = bookingData();
    const b2 = bookingData();
    const p1 = paymentData({ bookingId: b1.bookingId, amount: eur(3000) });
    const at = (iso: string) => ({ occurredAt: iso });
    const published = [
      await h.publish('booking.created', b1, at('2031-03-01T08:00:00Z')),
      await h.publish('booking.created', b2, at('2031-03-01T09:00:00Z')),
      await h.publish('user.registered', user(), at('2031-03-01T00:00:00Z')),
      await h.publish('payment.succeeded', p1, at('2031-03-01T08:01:00Z')),
      await h.publish('payment.succeeded', paymentData({ bookingId: b2.bookingId, amount: { amount: 1000, currency: 'USD' } }), at('2031-03-01T09:01:00Z')),
      await h.publish('booking.confirmed', b1, at('2031-03-01T08:02:00Z')),
      // nothing on 2031-03-02
      await h.publish('booking.cancelled', { ...b1, reason: null, wasPaid: true }, at('2031-03-03T10:00:00Z')),
      await h.publish('payment.refunded', p1, at('2031-03-03T10:01:00Z')),
      await h.publish('booking.created', bookingData(), at('2031-03-03T11:00:00Z')),
      await h.publish('payment.succeeded', paymentData({ amount: eur(500) }), at('2031-03-03T11:01:00Z')),
      // the last instant of 03-03 in UTC, written with an offset; then the first of 03-04
      await h.publish('user.registered', user(), at('2031-03-04T01:59:59.999+02:00')),
      await h.publish('user.registered', user(), at('2031-03-04T00:00:00Z')),
    ];
    await h.settle(published);
    expect(await daily('2031-02-28', '2031-03-04')).toEqual([
      zeroDay('2031-02-28'),
      { date: '2031-03-01', bookings: 2, cancellations: 0, confirmed: 1, newUsers: 1, revenue: [eur(3000), { amount: 1000, currency: 'USD' }] },
      zeroDay('2031-03-02'),
      { date: '2031-03-03', bookings: 1, cancellations: 1, confirmed: 0, newUsers: 1, revenue: [eur(-2500)] },
      { ...zeroDay('2031-03-04'), newUsers: 1 },
    ]);
    expect(await daily('2031-03-02', '2031-03-02')).toEqual([zeroDay('2031-03-02')]);
  });

  it('validates the range: ordered, at most 366 days, real dates', async () => {
    const backwards = await h.gql(DAILY, { from: '2031-03-02', to: '2031-03-01' });
    expect(backwards.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    const tooLong = await h.gql(DAILY, { from: '2030-01-01', to: '2031-01-02' });
    expect(tooLong.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    expect(await daily('2030-01-01', '2031-01-01')).toHaveLength(366); // 367 days is one too many
    expect(await daily('2032-01-01', '2032-12-31')).toHaveLength(366);
    expect(errorCodes(await h.gql(DAILY, { from: '2031-02-30', to: '2031-03-01' }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await h.gql(DAILY, { from: '2031-03-01T00:00:00Z', to: '2031-03-01' }))).toEqual(['BAD_USER_INPUT']);
  });

  it('is for managers and admins only', async () => {
    const vars = { from: '2031-03-01', to: '2031-03-01' };
    expect((await h.gql(DAILY, vars, h.tokens.admin)).errors).toBeUndefined();
    expect(errorCodes(await h.gql(DAILY, vars, h.tokens.member))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await h.gql(DAILY, vars, null))).toEqual(['UNAUTHENTICATED']);
  });

  it('never counts a redelivered event twice', async () => {
    const day = '2031-06-01';
    const booking = bookingData();
    const originals = [
      await h.publish('booking.created', booking, { occurredAt: `${day}T10:00:00Z` }),
      await h.publish('payment.succeeded', paymentData({ bookingId: booking.bookingId, amount: eur(1200) }), { occurredAt: `${day}T10:05:00Z` }),
      await h.publish('booking.confirmed', booking, { occurredAt: `${day}T10:06:00Z` }),
      await h.publish('user.registered', user(), { occurredAt: `${day}T11:00:00Z` }),
    ];
    await h.settle(originals);
    const expected = [{ date: day, bookings: 1, cancellations: 0, confirmed: 1, newUsers: 1, revenue: [eur(1200)] }];
    expect(await daily(day, day)).toEqual(expected);

    // The stream delivers the very same envelopes again; a later marker shows they were read.
    for (const event of originals) await h.events.publish(event.type, event.data as never, event);
    const marker = await h.publish('location.created', { locationId: uuid(), name: 'Marker', city: 'Nantes', timezone: 'Europe/Paris' });
    await h.settle([marker]);
    expect(await daily(day, day)).toEqual(expected);
    const logged = await h.server.orm.em.fork().getConnection().execute(`select count(*)::int as n from "activity_log" where "id" in (?)`, [originals.map((e) => e.id)]);
    expect(logged[0].n).toBe(4);

    // Even handed straight to the projector again (kit's processed-event record bypassed),
    // the activity-log key makes a second fold a no-op.
    await h.server.orm.em.fork().transactional((em) => project(originals[1] as EventEnvelope, { em, log: testLogger() }));
    expect(await daily(day, day)).toEqual(expected);
  });
});

describe('the daily rollup', () => {
  it('is scheduled once per cluster at 00:05 UTC', async () => {
    const schedulers = await h.server.jobs.queue(DAILY_ROLLUP).getJobSchedulers();
    expect(schedulers).toEqual([expect.objectContaining({ key: DAILY_ROLLUP, pattern: DAILY_ROLLUP_PATTERN, tz: 'UTC' })]);
  });

  it('recomputes a day from the activity log, healing drifted counters', async () => {
    const day = '2031-04-01';
    const booking = bookingData();
    const published = [
      await h.publish('booking.created', booking, { occurredAt: `${day}T09:00:00Z` }),
      await h.publish('booking.created', bookingData(), { occurredAt: `${day}T09:30:00Z` }),
      await h.publish('booking.cancelled', { ...booking, reason: 'no longer needed', wasPaid: false }, { occurredAt: `${day}T10:00:00Z` }),
      await h.publish('payment.succeeded', paymentData({ amount: eur(700) }), { occurredAt: `${day}T11:00:00Z` }),
      await h.publish('payment.succeeded', paymentData({ amount: { amount: 900, currency: 'GBP' } }), { occurredAt: `${day}T12:00:00Z` }),
      await h.publish('payment.refunded', paymentData({ amount: eur(200) }), { occurredAt: `${day}T13:00:00Z` }),
    ];
    await h.settle(published);
    const truth = [{ date: day, bookings: 2, cancellations: 1, confirmed: 0, newUsers: 0, revenue: [eur(500), { amount: 900, currency: 'GBP' }] }];
    expect(await daily(day, day)).toEqual(truth);

    // Counters drift (a lost update, a manual fix gone wrong…).
    const conn = h.server.orm.em.fork().getConnection();
    await conn.execute(`update "daily_stats" set "bookings" = 99, "new_users" = 7 where "date" = ?`, [day]);
    await conn.execute(`delete from "daily_revenue" where "date" = ? and "currency" = 'GBP'`, [day]);
    await conn.execute(`insert into "daily_revenue" ("date", "currency", "amount") values (?, 'USD', 12345)`, [day]);
    expect(await daily(day, day)).not.toEqual(truth);

    await h.server.jobs.add(DAILY_ROLLUP, { date: day }, { jobId: `${DAILY_ROLLUP}:${day}:${uuid()}` });
    await waitFor(async () => JSON.stringify(await daily(day, day)) === JSON.stringify(truth), { what: 'the rollup to heal the day' });
  });

  it('recomputes yesterday (UTC) when given no date', async () => {
    const jobId = `${DAILY_ROLLUP}-default-${uuid()}`;
    await h.server.jobs.add(DAILY_ROLLUP, {}, { jobId });
    const job = await waitFor(async () => {
      const found = await h.server.jobs.queue(DAILY_ROLLUP).getJob(jobId);
      return found?.finishedOn ? found : null;
    });
    expect(job.failedReason).toBeUndefined();
    expect(job.returnvalue).toEqual(zeroDay(previousDay(utcDay(new Date(job.timestamp)))));
  });
});

describe('Workspace.stats', () => {
  const STATS = `query($r: [_Any!]!, $from: DateTime, $to: DateTime) {
    _entities(representations: $r) { ... on Workspace { id stats(from: $from, to: $to) { from to bookings confirmedHours occupancy revenue { amount currency } } } }
  }`;
  const window = { from: '2031-05-01T00:00:00.000Z', to: '2031-05-02T00:00:00.000Z' };
  const [w1, w2, w3] = [uuid(), uuid(), uuid()];
  const refs = (...ids: string[]) => ids.map((id) => ({ __typename: 'Workspace', id }));

  beforeAll(async () => {
    const slot = (workspaceId: string, startsAt: string, endsAt: string) => bookingData({ workspaceId, startsAt, endsAt });
    const at = (iso: string) => ({ occurredAt: iso });
    const b1 = slot(w1, '2031-05-01T08:00:00Z', '2031-05-01T12:00:00Z'); // confirmed: 4 h
    const b2 = slot(w1, '2031-05-01T13:00:00Z', '2031-05-01T15:00:00Z'); // cancelled: 0 h
    const b3 = slot(w1, '2031-04-30T22:00:00Z', '2031-05-01T02:00:00Z'); // completed, 2 h inside
    const b4 = slot(w1, '2031-05-01T20:00:00Z', '2031-05-01T22:00:00Z'); // confirmed: 2 h
    const b5 = slot(w1, '2031-05-02T01:00:00Z', '2031-05-02T03:00:00Z'); // after the window
    const b6 = slot(w1, '2031-05-01T10:00:00Z', '2031-05-01T11:00:00Z'); // still pending
    const b7 = slot(w2, '2031-05-01T09:00:00Z', '2031-05-01T21:00:00Z'); // confirmed: 12 h
    const p2 = paymentData({ bookingId: b2.bookingId, amount: eur(2000) });
    const published = [
      // b1's confirmation arrives before its creation: the older event must not win.
      await h.publish('booking.confirmed', { ...b1, status: 'CONFIRMED' }, at('2031-04-20T10:05:00Z')),
      await h.publish('booking.created', b1, at('2031-04-20T10:00:00Z')),
      await h.publish('payment.succeeded', paymentData({ bookingId: b1.bookingId, amount: eur(4000) }), at('2031-05-01T07:00:00Z')),
      await h.publish('booking.created', b2, at('2031-04-20T11:00:00Z')),
      await h.publish('booking.confirmed', b2, at('2031-04-20T11:01:00Z')),
      await h.publish('payment.succeeded', p2, at('2031-05-01T09:00:00Z')),
      await h.publish('booking.cancelled', { ...b2, reason: null, wasPaid: true }, at('2031-05-01T12:00:00Z')),
      await h.publish('payment.refunded', p2, at('2031-05-01T12:01:00Z')),
      await h.publish('booking.created', b3, at('2031-04-20T12:00:00Z')),
      await h.publish('payment.succeeded', paymentData({ bookingId: b3.bookingId, amount: eur(1500) }), at('2031-04-29T12:00:00Z')),
      await h.publish('booking.confirmed', b3, at('2031-04-29T12:01:00Z')),
      await h.publish('booking.completed', b3, at('2031-05-01T02:00:00Z')),
      await h.publish('booking.created', b4, at('2031-04-20T13:00:00Z')),
      await h.publish('booking.confirmed', b4, at('2031-05-01T19:00:00Z')),
      await h.publish('payment.succeeded', paymentData({ bookingId: b4.bookingId, amount: eur(2000) }), at('2031-05-01T19:00:00Z')),
      await h.publish('booking.created', b5, at('2031-04-20T14:00:00Z')),
      await h.publish('booking.confirmed', b5, at('2031-04-20T14:01:00Z')),
      await h.publish('booking.created', b6, at('2031-04-20T15:00:00Z')),
      await h.publish('booking.created', b7, at('2031-04-20T16:00:00Z')),
      await h.publish('booking.confirmed', b7, at('2031-04-20T16:01:00Z')),
      await h.publish('payment.succeeded', paymentData({ bookingId: b7.bookingId, amount: { amount: 5000, currency: 'USD' } }), at('2031-05-01T08:00:00Z')),
    ];
    await h.settle(published);
  });

  it('computes bookings, confirmed hours, occupancy and net revenue in the window', async () => {
    const res = await h.gql(STATS, { r: refs(w1, w2, w3), ...window });
    expect(res.errors).toBeUndefined();
    const [s1, s2, s3] = (res.data!._entities as { stats: Record<string, any> }[]).map((e) => e.stats);
    expect(s1).toMatchObject({ ...window, bookings: 5, confirmedHours: 8, revenue: [eur(6000)] });
    expect(s1.occupancy).toBeCloseTo(8 / 24, 10);
    expect(s2).toMatchObject({ bookings: 1, confirmedHours: 12, occupancy: 0.5, revenue: [{ amount: 5000, currency: 'USD' }] });
    expect(s3).toMatchObject({ bookings: 0, confirmedHours: 0, occupancy: 0, revenue: [] });
  });

  it('clips bookings to the window', async () => {
    const res = await h.gql(STATS, { r: refs(w1), from: '2031-05-01T09:00:00Z', to: '2031-05-01T21:00:00Z' });
    // b1 09–12 (3 h) and b4 20–21 (1 h) of 12 hours; b3 ends before; b6 pending
    expect(res.data!._entities[0].stats).toMatchObject({ bookings: 4, confirmedHours: 4 });
    expect(res.data!._entities[0].stats.occupancy).toBeCloseTo(4 / 12, 10);
  });

  it('batches the stats of many workspaces into a fixed number of statements', async () => {
    const counter = countStatements(h.server.orm);
    const res = await h.gql(STATS, { r: refs(w1, w2, w3, uuid(), uuid(), uuid(), 'not-a-uuid'), ...window });
    counter.stop();
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toHaveLength(7);
    expect(res.data!._entities[6].stats).toMatchObject({ bookings: 0, occupancy: 0 });
    expect(counter.statements).toHaveLength(2);
  });

  it('defaults to the last 30 days and validates the window', async () => {
    const res = await h.gql(STATS, { r: refs(w1) });
    const { from, to } = res.data!._entities[0].stats;
    expect(Date.parse(to) - Date.parse(from)).toBe(30 * 86_400_000);
    expect(Math.abs(Date.parse(to) - Date.now())).toBeLessThan(60_000);
    const backwards = await h.gql(STATS, { r: refs(w1), from: window.to, to: window.from });
    expect(backwards.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    const tooLong = await h.gql(STATS, { r: refs(w1), from: '2029-01-01T00:00:00Z', to: '2031-01-01T00:00:00Z' });
    expect(tooLong.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });

  it('is for managers and admins only', async () => {
    expect((await h.gql(STATS, { r: refs(w1), ...window }, h.tokens.admin)).errors).toBeUndefined();
    const member = await h.gql(STATS, { r: refs(w1), ...window }, h.tokens.member);
    expect(errorCodes(member)).toEqual(['FORBIDDEN']);
    expect(member.errors![0].path).toEqual(['_entities', 0, 'stats']);
    expect(member.data!._entities[0]).toEqual({ id: w1, stats: null });
  });
});
