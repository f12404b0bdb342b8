/// <reference types="jest" />
// The page's pure logic, run by jest's unit tier like any *.test.ts (the browser behaviour
// is test/e2e/dashboard.e2e.test.ts's job).
import { expiresAt, normalizeToken } from './auth';
import type { Booking, ServiceStatus } from './operations';
import { describeError, describeFailure, FEED_LIMIT, mergeBookings, mergeServices, pushBooking, upsertService } from './state';

const service = (name: string, status: ServiceStatus['status'], checkedAt: string | null): ServiceStatus => ({
  name,
  status,
  latencyMs: 3,
  checkedAt,
  changedAt: checkedAt,
  reason: null,
});
/** A booking as changed `second` seconds into 2030. */
const booking = (id: string, second: number, status = 'PENDING_PAYMENT'): Booking => ({
  id,
  status,
  startsAt: '2030-02-01T10:00:00Z',
  updatedAt: new Date(Date.UTC(2030, 0, 1) + second * 1000).toISOString(),
  workspace: null,
  user: null,
});

describe('dashboard state', () => {
  it('updates a service in place, keeps the list sorted, and never goes back in time', () => {
    let list = mergeServices([], [service('identity', 'UP', '2030-01-01T00:00:02Z'), service('catalog', 'UP', '2030-01-01T00:00:02Z')]);
    expect(list.map((s) => s.name)).toEqual(['catalog', 'identity']);
    list = upsertService(list, service('identity', 'DOWN', '2030-01-01T00:00:03Z'));
    expect(list.map((s) => [s.name, s.status])).toEqual([['catalog', 'UP'], ['identity', 'DOWN']]);
    // A snapshot answered after that event carries the older poll: the event stays.
    list = mergeServices(list, [service('identity', 'UP', '2030-01-01T00:00:01Z')]);
    expect(list[1].status).toBe('DOWN');
  });

  it('puts each booking update on top of the feed, once, and keeps the newest FEED_LIMIT', () => {
    let feed = pushBooking([], booking('a', 1));
    feed = pushBooking(feed, booking('b', 2));
    feed = pushBooking(feed, booking('a', 3, 'CONFIRMED'));
    expect(feed.map((r) => [r.id, r.status])).toEqual([['a', 'CONFIRMED'], ['b', 'PENDING_PAYMENT']]);
    for (let i = 0; i < FEED_LIMIT + 5; i++) feed = pushBooking(feed, booking(`n${i}`, 10 + i));
    expect(feed).toHaveLength(FEED_LIMIT);
    expect(feed[0].id).toBe(`n${FEED_LIMIT + 4}`);
  });

  it('opens with the latest bookings and merges the live ones without duplicates, the newer version winning', () => {
    // A live update arrived before the opening query's answer.
    let feed = pushBooking([], booking('b', 5, 'CONFIRMED'));
    feed = mergeBookings(feed, [booking('c', 6), booking('b', 4), booking('a', 1)], 'history');
    expect(feed.map((r) => [r.id, r.status, r.source])).toEqual([
      ['c', 'PENDING_PAYMENT', 'history'],
      ['b', 'CONFIRMED', 'live'], // the older copy from the query is dropped
      ['a', 'PENDING_PAYMENT', 'history'],
    ]);
    // The same version again changes nothing (a re-read), or only notes that it came live too.
    expect(mergeBookings(feed, [booking('c', 6)], 'history')).toEqual(feed);
    expect(mergeBookings(feed, [booking('c', 6)], 'live').map((r) => r.source)).toEqual(['live', 'live', 'history']);
    feed = pushBooking(feed, booking('d', 7));
    expect(feed.map((r) => r.id)).toEqual(['d', 'c', 'b', 'a']);
    expect(mergeBookings([], Array.from({ length: FEED_LIMIT + 1 }, (_, i) => booking(`h${i}`, i)), 'history')).toHaveLength(FEED_LIMIT);
  });

  it('puts the error code first, and describes socket closes and error lists', () => {
    expect(describeError({ message: 'Not authorized to access Query.systemHealth', extensions: { code: 'FORBIDDEN' } })).toBe(
      'FORBIDDEN: Not authorized to access Query.systemHealth',
    );
    expect(describeFailure({ code: 4401, reason: 'Unauthorized: Invalid access token' })).toBe('Unauthorized: Invalid access token (4401)');
    expect(describeFailure([{ message: 'boom' }, { message: 'Nope', extensions: { code: 'FORBIDDEN' } }])).toBe('boom; FORBIDDEN: Nope');
  });

  it('accepts a pasted token with or without "Bearer", and reads its expiry', () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'u1', exp: 1_900_000_000 })).toString('base64url');
    const token = `eyJhbGciOiJFUzI1NiJ9.${payload}.c2ln`;
    expect(normalizeToken(`  Bearer ${token}\n`)).toBe(token);
    expect(normalizeToken('not a token')).toBeNull();
    expect(expiresAt(token)).toEqual(new Date(1_900_000_000_000));
    expect(expiresAt('a.b.c')).toBeNull();
  });
});
