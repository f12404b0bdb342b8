import type { GraphQLResponse } from '@atrium/kit/testing';
import type { WorkspaceSnapshot } from '@atrium/kit/subgraph';
import { errorCodes, waitFor } from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { BOOKING_FIELDS, CANCEL, CREATE, GET, hoursFromNow, range, startBooking, type Harness } from '../testing/harness';
import { WorkspaceReplica } from '../workspace/workspace-replica.entity';
import { Booking, BookingStatus } from './booking.entity';

let h: Harness;
let desk: WorkspaceSnapshot;
let room: WorkspaceSnapshot;
let alice: { userId: string; token: string };
let bob: { userId: string; token: string };
let manager: { userId: string; token: string };

beforeAll(async () => {
  // No sweep: its periodic SQL would blur the statement counts (expiry.int.test.ts covers it).
  h = await startBooking('booking_api', { BOOKING_SWEEP_CRON: 'off' });
  desk = await h.addWorkspace({ name: 'Desk A1', hourlyRate: { amount: 1200, currency: 'EUR' } });
  room = await h.addWorkspace({ name: 'Board room', hourlyRate: { amount: 1000, currency: 'USD' } });
  alice = await h.member();
  bob = await h.member();
  manager = await h.manager();
});

afterAll(async () => {
  await h?.close();
});

/** createBooking as `who`, expecting success; returns the booking. */
async function book(who: { token: string }, input: ReturnType<typeof range>, key?: string) {
  const res = await h.gql(CREATE, { input, key }, who.token);
  if (res.errors) throw new Error(`createBooking failed: ${JSON.stringify(res.errors)}`);
  return res.data!.createBooking;
}

const bookingCount = () => h.server.orm.em.fork().count(Booking, {});

/**
 * Inserts a live booking in a transaction of its own connection and leaves it open, as a
 * concurrent createBooking would be mid-flight: invisible to other readers, yet already
 * in the exclusion constraint's and the unique index's way. `commit()` finishes it.
 */
async function uncommittedBooking(b: { userId: string; workspaceId: string; startsAt: string; endsAt: string; key?: string }) {
  const client = new Client({ connectionString: h.db.url });
  await client.connect();
  const id = randomUUID();
  await client.query('begin');
  await client.query(
    `insert into booking (id, user_id, workspace_id, workspace_name, status, starts_at, ends_at, price_amount, price_currency,
       idempotency_key, expires_at, created_at, updated_at)
     values ($1, $2, $3, 'raw', 'PENDING_PAYMENT', $4, $5, 100, 'EUR', $6, now() + interval '15 minutes', now(), now())`,
    [id, b.userId, b.workspaceId, b.startsAt, b.endsAt, b.key ?? null],
  );
  return {
    id,
    commit: async () => {
      await client.query('commit');
      await client.end();
    },
  };
}

/** Resolves once PostgreSQL shows a session of this database waiting on a lock. */
const someoneWaits = () =>
  waitFor(async () => {
    const rows = await h.server.orm.em.fork().execute(
      `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    return rows.length > 0;
  }, { what: 'a session waiting on a lock' });

describe('createBooking', () => {
  it('holds the slot for the caller: PENDING_PAYMENT, priced per minute, with a hold deadline', async () => {
    const start = hoursFromNow(24);
    const before = Date.now();
    const res = await h.gql(
      CREATE,
      { input: { ...range(room.workspaceId, start), endsAt: new Date(start.getTime() + 100 * 60_000).toISOString() } },
      alice.token,
    );
    expect(res.errors).toBeUndefined();
    const booking = res.data!.createBooking;
    expect(booking).toMatchObject({
      status: 'PENDING_PAYMENT',
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 100 * 60_000).toISOString(),
      price: { amount: 1667, currency: 'USD' }, // 1000/h × 100 min = 1666.67
      workspace: { id: room.workspaceId },
      user: { id: alice.userId },
      confirmedAt: null,
      cancelledAt: null,
    });
    const holdEnds = new Date(booking.expiresAt).getTime();
    expect(holdEnds).toBeGreaterThanOrEqual(before + 900_000 - 1000);
    expect(holdEnds).toBeLessThanOrEqual(Date.now() + 900_000 + 1000);
  });

  it('records booking.created with the snapshot, the request id and the caller', async () => {
    const booking = await h.gql(CREATE, { input: range(desk.workspaceId, hoursFromNow(30), 2) }, alice.token, { 'x-request-id': 'req-create-1' });
    const id = booking.data!.createBooking.id;
    const event = await waitFor(async () => (await h.events.all()).find((e) => e.type === 'booking.created' && (e.data as { bookingId: string }).bookingId === id), {
      what: 'booking.created',
    });
    expect(event).toMatchObject({
      producer: 'booking',
      correlationId: 'req-create-1',
      actorId: alice.userId,
      data: {
        bookingId: id,
        userId: alice.userId,
        workspaceId: desk.workspaceId,
        workspaceName: 'Desk A1',
        startsAt: hoursFromNow(30).toISOString(),
        endsAt: hoursFromNow(32).toISOString(),
        price: { amount: 2400, currency: 'EUR' },
        status: 'PENDING_PAYMENT',
      },
    });
  });

  it('requires a signed-in caller', async () => {
    expect(errorCodes(await h.gql(CREATE, { input: range(desk.workspaceId, hoursFromNow(40)) }))).toEqual(['UNAUTHENTICATED']);
  });

  it('rejects each invalid input with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const count = await bookingCount();
    const start = hoursFromNow(48);
    const at = (ms: number) => new Date(start.getTime() + ms).toISOString();
    const cases: [Record<string, unknown>, string][] = [
      [{ ...range(desk.workspaceId, start), workspaceId: 'desk-1' }, 'input.workspaceId'],
      [{ ...range(desk.workspaceId, start), endsAt: at(0) }, 'input.endsAt'], // empty range
      [{ ...range(desk.workspaceId, start), endsAt: at(-3600_000) }, 'input.endsAt'], // reversed
      [range(desk.workspaceId, new Date(Math.floor(Date.now() / 60_000) * 60_000 - 3600_000)), 'input.startsAt'], // in the past
      [{ ...range(desk.workspaceId, start), endsAt: at(14 * 60_000) }, 'input.endsAt'], // 14 min
      [{ ...range(desk.workspaceId, start), endsAt: at(14 * 24 * 3600_000 + 60_000) }, 'input.endsAt'], // 14 days + 1 min
      [{ ...range(desk.workspaceId, start), startsAt: at(30_000) }, 'input.startsAt'], // seconds
      [{ ...range(desk.workspaceId, start), endsAt: at(3600_000 + 1) }, 'input.endsAt'], // milliseconds
      [range(desk.workspaceId, hoursFromNow(24 * 400)), 'input.startsAt'], // too far ahead
    ];
    for (const [input, field] of cases) {
      const res = await h.gql(CREATE, { input }, alice.token);
      expect([field, errorCodes(res)]).toEqual([field, ['BAD_USER_INPUT']]);
      expect(res.errors![0].extensions!.field).toBe(field);
    }
    const emptyKey = await h.gql(CREATE, { input: range(desk.workspaceId, start), key: ' ' }, alice.token);
    expect(emptyKey.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    expect(await bookingCount()).toBe(count);
  });

  it('accepts the shortest and the longest durations', async () => {
    const start = hoursFromNow(24 * 100);
    await book(alice, { ...range(desk.workspaceId, start), endsAt: new Date(start.getTime() + 15 * 60_000).toISOString() });
    const long = hoursFromNow(24 * 110);
    const booking = await book(alice, { ...range(desk.workspaceId, long), endsAt: new Date(long.getTime() + 14 * 24 * 3600_000).toISOString() });
    expect(booking.price).toEqual({ amount: 1200 * 24 * 14, currency: 'EUR' });
  });

  it('answers NOT_FOUND for a workspace booking has not heard of, and refuses an archived one', async () => {
    const unknown = randomUUID();
    const res = await h.gql(CREATE, { input: range(unknown, hoursFromNow(50)) }, alice.token);
    expect(res.errors![0]).toMatchObject({ message: `workspace ${unknown} not found`, extensions: { code: 'NOT_FOUND' } });

    const archived = await h.addWorkspace({ name: 'Old desk' });
    await h.events.publish('workspace.archived', { ...archived, active: false });
    await waitFor(async () => (await h.server.orm.em.fork().findOne(WorkspaceReplica, { id: archived.workspaceId }))?.active === false);
    const refused = await h.gql(CREATE, { input: range(archived.workspaceId, hoursFromNow(50)) }, alice.token);
    expect(refused.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.workspaceId' });
  });
});

describe('no double booking', () => {
  const day = () => hoursFromNow(24 * 3);

  it('refuses an overlapping booking of the same workspace with BOOKING_CONFLICT, whoever asks', async () => {
    const start = day();
    await book(alice, range(desk.workspaceId, start, 2)); // [0h, 2h)
    const overlaps = [
      range(desk.workspaceId, new Date(start.getTime() + 3600_000), 2), // [1h, 3h)
      range(desk.workspaceId, new Date(start.getTime() - 3600_000), 2), // [-1h, 1h)
      { ...range(desk.workspaceId, start), startsAt: new Date(start.getTime() + 15 * 60_000).toISOString() }, // inside
      range(desk.workspaceId, new Date(start.getTime() - 3600_000), 4), // around
    ];
    for (const input of overlaps) {
      const res = await h.gql(CREATE, { input }, bob.token);
      expect(errorCodes(res)).toEqual(['BOOKING_CONFLICT']);
      expect(res.errors![0].message).toBe(`workspace ${desk.workspaceId} is already booked between ${input.startsAt} and ${input.endsAt}`);
    }
  });

  it('lets touching ranges and other workspaces through', async () => {
    const start = day();
    await book(bob, range(desk.workspaceId, new Date(start.getTime() + 2 * 3600_000))); // [2h, 3h): touches [0h, 2h)
    await book(bob, range(desk.workspaceId, new Date(start.getTime() - 3600_000))); // [-1h, 0h)
    await book(bob, range(room.workspaceId, start, 2)); // same range, other workspace
  });

  it('gives exactly one of 100 concurrent requests for a slot, and BOOKING_CONFLICT to the 99 others', async () => {
    const input = range(desk.workspaceId, hoursFromNow(24 * 5), 1);
    const members = await Promise.all(Array.from({ length: 100 }, () => h.member()));
    const results = await Promise.all(members.map((m) => h.gql(CREATE, { input }, m.token)));
    expect(results.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    const won = results.filter((r) => !r.errors && r.data?.createBooking?.status === 'PENDING_PAYMENT');
    const codes = results.flatMap((r) => errorCodes(r));
    expect(won).toHaveLength(1);
    expect(codes).toHaveLength(99);
    expect(new Set(codes)).toEqual(new Set(['BOOKING_CONFLICT']));
    const rows = await h.server.orm.em.fork().find(Booking, { workspaceId: desk.workspaceId, startsAt: new Date(input.startsAt) });
    expect(rows.map((b) => b.id)).toEqual([won[0].data!.createBooking.id]);
  });

  it('answers BOOKING_CONFLICT when the constraint, not the early check, catches a race (an overlapping insert in flight)', async () => {
    const input = range(room.workspaceId, hoursFromNow(24 * 5 + 6), 2);
    const rival = await uncommittedBooking({ userId: bob.userId, ...input, startsAt: hoursFromNow(24 * 5 + 7).toISOString() });
    const pending = h.gql(CREATE, { input }, alice.token);
    await someoneWaits(); // createBooking saw no overlap, inserted, and waits on the rival's uncommitted row
    await rival.commit();
    const res = await pending;
    expect(errorCodes(res)).toEqual(['BOOKING_CONFLICT']);
    expect(res.errors![0].message).toBe(`workspace ${room.workspaceId} is already booked between ${input.startsAt} and ${input.endsAt}`);
    expect((await h.server.orm.em.fork().find(Booking, { workspaceId: room.workspaceId, startsAt: { $gte: new Date(input.startsAt) }, endsAt: { $lte: new Date(input.endsAt) } })).map((b) => b.id)).toEqual([rival.id]);
  });

  it('frees the slot once the booking is cancelled', async () => {
    const input = range(room.workspaceId, hoursFromNow(24 * 6));
    const first = await book(alice, input);
    expect(errorCodes(await h.gql(CREATE, { input }, bob.token))).toEqual(['BOOKING_CONFLICT']);
    await h.gql(CANCEL, { id: first.id }, alice.token);
    expect((await book(bob, input)).user).toEqual({ id: bob.userId });
  });
});

describe('idempotency keys', () => {
  it('returns the same booking for a retry with the same key, without writing again', async () => {
    const input = range(desk.workspaceId, hoursFromNow(24 * 7));
    const first = await book(alice, input, 'checkout-1');
    const count = await bookingCount();
    const again = await book(alice, input, 'checkout-1');
    expect(again).toEqual(first);
    expect(await bookingCount()).toBe(count);
  });

  it('returns one booking to concurrent attempts with the same key (the first still in flight)', async () => {
    const input = range(desk.workspaceId, hoursFromNow(24 * 8));
    const results = await Promise.all(Array.from({ length: 10 }, () => h.gql(CREATE, { input, key: 'double-click' }, bob.token)));
    expect(results.flatMap((r) => errorCodes(r))).toEqual([]);
    expect(new Set(results.map((r) => r.data!.createBooking.id)).size).toBe(1);
    expect(await h.server.orm.em.fork().count(Booking, { userId: bob.userId, idempotencyKey: 'double-click' })).toBe(1);
  });

  it('returns the in-flight first attempt once it commits, when a retry with the same key races it', async () => {
    const input = range(room.workspaceId, hoursFromNow(24 * 8 + 3));
    const first = await uncommittedBooking({ userId: alice.userId, ...input, key: 'in-flight' });
    const retry = h.gql(CREATE, { input, key: 'in-flight' }, alice.token);
    await someoneWaits();
    await first.commit();
    const res = await retry;
    expect(res.errors).toBeUndefined();
    expect(res.data!.createBooking.id).toBe(first.id);
  });

  it('refuses the same key for a different request, naming idempotencyKey', async () => {
    const input = range(desk.workspaceId, hoursFromNow(24 * 9));
    await book(alice, input, 'checkout-2');
    const other = { ...input, endsAt: new Date(new Date(input.endsAt).getTime() + 3600_000).toISOString() };
    const res = await h.gql(CREATE, { input: other, key: 'checkout-2' }, alice.token);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    const elsewhere = await h.gql(CREATE, { input: { ...input, workspaceId: room.workspaceId }, key: 'checkout-2' }, alice.token);
    expect(elsewhere.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
  });

  it('scopes keys to the user: the same key from another user is another request', async () => {
    const mine = await book(alice, range(room.workspaceId, hoursFromNow(24 * 10)), 'shared-key');
    const theirs = await book(bob, range(room.workspaceId, hoursFromNow(24 * 11)), 'shared-key');
    expect(theirs.id).not.toBe(mine.id);
    expect(theirs.user).toEqual({ id: bob.userId });
  });
});

describe('row rules', () => {
  let mine: { id: string };
  beforeAll(async () => {
    mine = await book(alice, range(room.workspaceId, hoursFromNow(24 * 12)));
  });

  it('lets the owner and bookings:read callers read a booking, and forbids other members', async () => {
    expect((await h.gql(GET, { id: mine.id }, alice.token)).data!.booking.id).toBe(mine.id);
    expect((await h.gql(GET, { id: mine.id }, manager.token)).data!.booking.id).toBe(mine.id);
    const other = await h.gql(GET, { id: mine.id }, bob.token);
    expect(errorCodes(other)).toEqual(['FORBIDDEN']);
    expect(other.data!.booking).toBeNull();
    expect(errorCodes(await h.gql(GET, { id: mine.id }))).toEqual(['UNAUTHENTICATED']);
  });

  it('answers null for an unknown booking and BAD_USER_INPUT for a malformed id', async () => {
    const unknown = await h.gql(GET, { id: randomUUID() }, alice.token);
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data!.booking).toBeNull();
    expect((await h.gql(GET, { id: '42' }, alice.token)).errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it("resolves Booking references only for rows the caller may see", async () => {
    const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Booking { id status } } }`;
    const r = [{ __typename: 'Booking', id: mine.id }];
    expect((await h.gql(ENTITIES, { r }, alice.token)).data!._entities).toEqual([{ id: mine.id, status: 'PENDING_PAYMENT' }]);
    expect((await h.gql(ENTITIES, { r }, manager.token)).data!._entities).toEqual([{ id: mine.id, status: 'PENDING_PAYMENT' }]);
    expect((await h.gql(ENTITIES, { r }, bob.token)).data!._entities).toEqual([null]);
    expect((await h.gql(ENTITIES, { r: [{ __typename: 'Booking', id: 'nope' }] }, alice.token)).data!._entities).toEqual([null]);
  });

  it("forbids listing another user's bookings without bookings:read, and Workspace.bookings to members", async () => {
    const USER = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { bookings { totalCount } } } }`;
    const WORKSPACE = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Workspace { bookings { totalCount } } } }`;
    const aliceRef = [{ __typename: 'User', id: alice.userId }];
    expect((await h.gql(USER, { r: aliceRef }, alice.token)).errors).toBeUndefined();
    expect((await h.gql(USER, { r: aliceRef }, manager.token)).errors).toBeUndefined();
    expect(errorCodes(await h.gql(USER, { r: aliceRef }, bob.token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await h.gql(USER, { r: aliceRef }))).toEqual(['UNAUTHENTICATED']);
    const roomRef = [{ __typename: 'Workspace', id: room.workspaceId }];
    expect(errorCodes(await h.gql(WORKSPACE, { r: roomRef }, alice.token))).toEqual(['FORBIDDEN']);
    expect((await h.gql(WORKSPACE, { r: roomRef }, manager.token)).data!._entities[0].bookings.totalCount).toBeGreaterThan(0);
  });
});

describe('cancelBooking', () => {
  it('cancels a pending booking for its owner, with the reason, and records booking.cancelled (not paid)', async () => {
    const booking = await book(alice, range(desk.workspaceId, hoursFromNow(24 * 13)));
    const res = await h.gql(CANCEL, { id: booking.id, reason: '  plans changed ' }, alice.token, { 'x-request-id': 'req-cancel-1' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.cancelBooking).toMatchObject({ id: booking.id, status: 'CANCELLED', cancelReason: 'plans changed' });
    expect(new Date(res.data!.cancelBooking.cancelledAt).getTime()).toBeLessThanOrEqual(Date.now());
    const event = await waitFor(async () => (await h.events.all()).find((e) => e.type === 'booking.cancelled' && (e.data as { bookingId: string }).bookingId === booking.id));
    expect(event).toMatchObject({ correlationId: 'req-cancel-1', actorId: alice.userId, data: { status: 'CANCELLED', reason: 'plans changed', wasPaid: false } });
  });

  it('says wasPaid for a confirmed booking, so payment refunds it', async () => {
    const booking = await book(alice, range(desk.workspaceId, hoursFromNow(24 * 14)));
    await h.server.orm.em.fork().nativeUpdate(Booking, { id: booking.id }, { status: BookingStatus.CONFIRMED, confirmedAt: new Date() });
    await h.gql(CANCEL, { id: booking.id }, alice.token);
    const event = await waitFor(async () => (await h.events.all()).find((e) => e.type === 'booking.cancelled' && (e.data as { bookingId: string }).bookingId === booking.id));
    expect(event.data).toMatchObject({ wasPaid: true, reason: null });
  });

  it("lets bookings:read cancel anyone's booking, and forbids other members", async () => {
    const booking = await book(alice, range(desk.workspaceId, hoursFromNow(24 * 15)));
    expect(errorCodes(await h.gql(CANCEL, { id: booking.id }, bob.token))).toEqual(['FORBIDDEN']);
    expect((await h.gql(GET, { id: booking.id }, alice.token)).data!.booking.status).toBe('PENDING_PAYMENT');
    expect((await h.gql(CANCEL, { id: booking.id }, manager.token)).data!.cancelBooking.status).toBe('CANCELLED');
  });

  it('refuses to cancel twice, a booking that has started, an unknown one and a malformed id', async () => {
    const booking = await book(alice, range(desk.workspaceId, hoursFromNow(24 * 16)));
    await h.gql(CANCEL, { id: booking.id }, alice.token);
    expect((await h.gql(CANCEL, { id: booking.id }, alice.token)).errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });

    const lounge = await h.addWorkspace({ name: 'Lounge' });
    const started = await book(alice, range(lounge.workspaceId, hoursFromNow(24 * 17)));
    await h.server.orm.em.fork().nativeUpdate(Booking, { id: started.id }, { startsAt: new Date(Date.now() - 60_000) });
    const late = await h.gql(CANCEL, { id: started.id }, alice.token);
    expect(late.errors![0]).toMatchObject({ message: expect.stringContaining('already started'), extensions: { code: 'BAD_USER_INPUT', field: 'id' } });

    expect(errorCodes(await h.gql(CANCEL, { id: randomUUID() }, alice.token))).toEqual(['NOT_FOUND']);
    expect((await h.gql(CANCEL, { id: 'x' }, alice.token)).errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(errorCodes(await h.gql(CANCEL, { id: booking.id }))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('User.bookings and Workspace.bookings', () => {
  const LIST = `query($r: [_Any!]!, $status: BookingStatus, $first: Int, $after: String) {
    _entities(representations: $r) { ... on User { id bookings(status: $status, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${BOOKING_FIELDS} } } } } }
  }`;
  let carol: { userId: string; token: string };
  let starts: string[];

  beforeAll(async () => {
    carol = await h.member();
    const office = await h.addWorkspace({ name: 'Office 3' });
    starts = [];
    for (let i = 0; i < 7; i++) starts.push((await book(carol, range(office.workspaceId, hoursFromNow(24 * 20 + i)))).startsAt);
    const last = await book(carol, range(office.workspaceId, hoursFromNow(24 * 30)));
    await h.gql(CANCEL, { id: last.id }, carol.token);
    starts.push(last.startsAt);
  });

  it('pages a user’s bookings, latest start first, with totalCount on every page', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res: GraphQLResponse = await h.gql(LIST, { r: [{ __typename: 'User', id: carol.userId }], first: 3, after }, carol.token);
      expect(res.errors).toBeUndefined();
      const list: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { startsAt: string } }[] } = res.data!._entities[0].bookings;
      expect(list.totalCount).toBe(8);
      seen.push(...list.edges.map((e: { node: { startsAt: string } }) => e.node.startsAt));
      pages++;
      if (!list.pageInfo.hasNextPage) break;
      after = list.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...starts].sort().reverse());
  });

  it('filters by status', async () => {
    const res = await h.gql(LIST, { r: [{ __typename: 'User', id: carol.userId }], status: 'CANCELLED' }, carol.token);
    const list = res.data!._entities[0].bookings;
    expect(list.totalCount).toBe(1);
    expect(list.edges.map((e: { node: { status: string } }) => e.node.status)).toEqual(['CANCELLED']);
    expect(list.pageInfo).toEqual({ hasNextPage: false, endCursor: list.edges[0].cursor });
  });

  it('gives an empty page to a user without bookings', async () => {
    const nobody = await h.member();
    const res = await h.gql(LIST, { r: [{ __typename: 'User', id: nobody.userId }] }, nobody.token);
    expect(res.data!._entities[0].bookings).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
  });

  it('rejects a forged cursor and an out-of-range page size, naming the argument', async () => {
    const r = [{ __typename: 'User', id: carol.userId }];
    expect((await h.gql(LIST, { r, after: 'bm9wZQ' }, carol.token)).errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect((await h.gql(LIST, { r, first: 101 }, carol.token)).errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('costs one SQL statement for User.bookings(first: 50) with nested fields, however many bookings and users', async () => {
    const others = await Promise.all([1, 2, 3].map(() => h.member()));
    const office = await h.addWorkspace({ name: 'Many' });
    for (const [i, o] of others.entries()) for (let j = 0; j < 5; j++) await book(o, range(office.workspaceId, hoursFromNow(24 * 40 + i * 10 + j)));
    const r = [carol, ...others].map((u) => ({ __typename: 'User', id: u.userId }));
    let res!: GraphQLResponse;
    const many = await h.statementsOf(async () => (res = await h.gql(LIST, { r, first: 50 }, manager.token)));
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities.map((u: { bookings: { totalCount: number } }) => u.bookings.totalCount)).toEqual([8, 5, 5, 5]);
    expect(many).toHaveLength(1);
    expect(await h.statementsOf(() => h.gql(LIST, { r: [r[0]], first: 50 }, carol.token))).toHaveLength(1);
  });

  it('lists a workspace’s bookings for bookings:read in one statement for many workspaces', async () => {
    const WS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Workspace { id bookings(first: 50) { totalCount edges { node { id user { id } } } } } } }`;
    let res!: GraphQLResponse;
    const sql = await h.statementsOf(async () => (res = await h.gql(WS, { r: [desk, room].map((w) => ({ __typename: 'Workspace', id: w.workspaceId })) }, manager.token)));
    expect(res.errors).toBeUndefined();
    for (const w of res.data!._entities) expect(w.bookings.totalCount).toBeGreaterThan(0);
    expect(sql).toHaveLength(1);
  });

  it('resolves many Booking references in one statement', async () => {
    const ids = (await h.server.orm.em.fork().find(Booking, { userId: carol.userId })).map((b) => b.id);
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Booking { id price { amount } workspace { id } } } }`;
    let res!: GraphQLResponse;
    const sql = await h.statementsOf(async () => (res = await h.gql(query, { r: ids.map((id) => ({ __typename: 'Booking', id })) }, carol.token)));
    expect(res.data!._entities.map((b: { id: string }) => b.id)).toEqual(ids);
    expect(sql).toHaveLength(1);
  });
});

describe('Workspace.availability', () => {
  const AVAILABILITY = `query($r: [_Any!]!, $from: DateTime!, $to: DateTime!) {
    _entities(representations: $r) { ... on Workspace { id availability(from: $from, to: $to) { startsAt endsAt } } }
  }`;
  let hall: WorkspaceSnapshot;
  let day: Date;
  const t = (hours: number) => new Date(day.getTime() + hours * 3600_000).toISOString();

  beforeAll(async () => {
    hall = await h.addWorkspace({ name: 'Hall' });
    day = hoursFromNow(24 * 50);
    await book(alice, { workspaceId: hall.workspaceId, startsAt: t(2), endsAt: t(3) });
    await book(bob, { workspaceId: hall.workspaceId, startsAt: t(3), endsAt: t(4) }); // touches: merged with the one before
    await book(bob, { workspaceId: hall.workspaceId, startsAt: t(6), endsAt: t(7) });
    const cancelled = await book(alice, { workspaceId: hall.workspaceId, startsAt: t(8), endsAt: t(9) });
    await h.gql(CANCEL, { id: cancelled.id }, alice.token); // not live: free again
    await book(alice, { workspaceId: hall.workspaceId, startsAt: t(11), endsAt: t(13) }); // straddles the window's end
  });

  it('lists the free intervals between live bookings, merged and clipped to the window, in one statement', async () => {
    let res!: GraphQLResponse;
    const sql = await h.statementsOf(async () => (res = await h.gql(AVAILABILITY, { r: [{ __typename: 'Workspace', id: hall.workspaceId }], from: t(0), to: t(12) })));
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities[0].availability).toEqual([
      { startsAt: t(0), endsAt: t(2) },
      { startsAt: t(4), endsAt: t(6) },
      { startsAt: t(7), endsAt: t(11) },
    ]);
    expect(sql).toHaveLength(1);
  });

  it('answers the whole window when nothing is booked, and nothing for unknown or archived workspaces', async () => {
    const free = await h.addWorkspace({ name: 'Free' });
    const r = [free.workspaceId, randomUUID()].map((id) => ({ __typename: 'Workspace', id }));
    let res!: GraphQLResponse;
    const sql = await h.statementsOf(async () => (res = await h.gql(AVAILABILITY, { r, from: t(0), to: t(5) })));
    expect(res.data!._entities.map((w: { availability: unknown[] }) => w.availability)).toEqual([[{ startsAt: t(0), endsAt: t(5) }], []]);
    expect(sql).toHaveLength(1);
  });

  it('rejects a window that is empty, reversed or wider than 31 days, naming `to`', async () => {
    const r = [{ __typename: 'Workspace', id: hall.workspaceId }];
    for (const to of [t(0), t(-1), t(31 * 24 + 1)]) {
      const res = await h.gql(AVAILABILITY, { r, from: t(0), to });
      expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    }
    expect((await h.gql(AVAILABILITY, { r, from: t(0), to: t(31 * 24) })).errors).toBeUndefined();
  });
});

describe('the schema in the database', () => {
  it("matches the entities, so MikroORM's schema diff never proposes to drop the exclusion constraint", async () => {
    const diff = await h.server.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
    expect(diff).not.toMatch(/booking_no_overlap/);
    expect(diff).not.toMatch(/drop/i);
  });
});
