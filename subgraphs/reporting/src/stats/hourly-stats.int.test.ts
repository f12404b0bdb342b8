import { errorCodes } from '@atrium/kit/testing';
import { bookingData, startReporting, type Harness } from '../testing/harness';

let h: Harness;

beforeAll(async () => {
  h = await startReporting('reporting_hourly');
});

afterAll(async () => {
  await h?.close();
});

const HOURLY = `query($from: DateTime, $to: DateTime) { hourlyStats(from: $from, to: $to) { hour bookings confirmed cancellations } }`;
const hourly = async (vars: Record<string, unknown>, token?: string | null) => {
  const res = await h.gql(HOURLY, vars, token);
  expect(res.errors).toBeUndefined();
  return res.data!.hourlyStats as { hour: string; bookings: number; confirmed: number; cancellations: number }[];
};
const zero = (hour: string) => ({ hour, bookings: 0, confirmed: 0, cancellations: 0 });

describe('hourly statistics', () => {
  it('counts bookings created, confirmed and cancelled per UTC hour, empty hours included', async () => {
    const b1 = bookingData();
    const b2 = bookingData();
    const at = (iso: string) => ({ occurredAt: iso });
    await h.settle([
      await h.publish('booking.created', b1, at('2031-05-01T08:00:00Z')),
      await h.publish('booking.created', b2, at('2031-05-01T08:59:59.999Z')),
      await h.publish('booking.confirmed', b1, at('2031-05-01T08:30:00Z')),
      // nothing at 09:00
      await h.publish('booking.cancelled', { ...b1, reason: null, wasPaid: true }, at('2031-05-01T10:15:00Z')),
      // written with an offset: 10:59 UTC
      await h.publish('booking.created', bookingData(), at('2031-05-01T12:59:00+02:00')),
      await h.publish('booking.created', bookingData(), at('2031-05-01T11:00:00Z')), // outside [from, to)
    ]);
    expect(await hourly({ from: '2031-05-01T07:30:00Z', to: '2031-05-01T11:00:00Z' })).toEqual([
      zero('2031-05-01T07:00:00.000Z'),
      { hour: '2031-05-01T08:00:00.000Z', bookings: 2, confirmed: 1, cancellations: 0 },
      zero('2031-05-01T09:00:00.000Z'),
      { hour: '2031-05-01T10:00:00.000Z', bookings: 1, confirmed: 0, cancellations: 1 },
    ]);
  });

  it('covers the last 24 hours up to the current one by default', async () => {
    await h.settle([await h.publish('booking.created', bookingData())]);
    const hours = await hourly({});
    expect(hours.length).toBeGreaterThanOrEqual(24);
    expect(hours.length).toBeLessThanOrEqual(25);
    const last = hours[hours.length - 1];
    expect(Date.parse(last.hour)).toBe(Math.floor(Date.now() / 3600_000) * 3600_000);
    expect(last.bookings).toBeGreaterThanOrEqual(1);
  });

  it('refuses an empty or reversed window and one over a week, naming `to`', async () => {
    for (const vars of [
      { from: '2031-05-01T10:00:00Z', to: '2031-05-01T10:00:00Z' },
      { from: '2031-05-02T00:00:00Z', to: '2031-05-01T00:00:00Z' },
      { from: '2031-05-01T00:00:00Z', to: '2031-05-08T00:00:01Z' },
    ]) {
      const res = await h.gql(HOURLY, vars);
      expect(res.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'to' }) })]);
    }
    expect(await hourly({ from: '2031-05-01T00:00:00Z', to: '2031-05-08T00:00:00Z' })).toHaveLength(168);
  });

  it('is for managers and admins, like dailyStats', async () => {
    expect((await hourly({}, h.tokens.admin)).length).toBeGreaterThan(0);
    expect(errorCodes(await h.gql(HOURLY, {}, h.tokens.member))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await h.gql(HOURLY, {}, null))).toEqual(['UNAUTHENTICATED']);
  });
});
