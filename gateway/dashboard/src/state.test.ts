/// <reference types="jest" />
// The page's pure logic, run by jest's unit tier like any *.test.ts (the browser behaviour
// is test/e2e/dashboard.e2e.test.ts's job).
import { expiresAt, normalizeToken } from './auth';
import type { Booking, ServiceStatus } from './operations';
import { describeError, describeFailure, FEED_LIMIT, mergeServices, pushBooking, upsertService } from './state';

const service = (name: string, status: ServiceStatus['status'], checkedAt: string | null): ServiceStatus => ({
  name,
  status,
  latencyMs: 3,
  checkedAt,
  changedAt: checkedAt,
  reason: null,
});
const booking = (id: string, status = 'PENDING_PAYMENT'): Booking => ({ id, status, startsAt: '2030-01-01T10:00:00Z', workspace: null, user: null });

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
    let feed = pushBooking([], booking('a'));
    feed = pushBooking(feed, booking('b'));
    feed = pushBooking(feed, booking('a', 'CONFIRMED'));
    expect(feed.map((r) => [r.id, r.status])).toEqual([['a', 'CONFIRMED'], ['b', 'PENDING_PAYMENT']]);
    for (let i = 0; i < FEED_LIMIT + 5; i++) feed = pushBooking(feed, booking(`n${i}`));
    expect(feed).toHaveLength(FEED_LIMIT);
    expect(feed[0].id).toBe(`n${FEED_LIMIT + 4}`);
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
