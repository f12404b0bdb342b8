import { countStatements, type EventType } from '@atrium/kit/subgraph';
import { errorCodes, type GraphQLResponse } from '@atrium/kit/testing';
import { bookingData, paymentData, startReporting, uuid, workspaceData, type Harness } from '../testing/harness';

let h: Harness;

beforeAll(async () => {
  h = await startReporting('reporting_log');
});

afterAll(async () => {
  await h?.close();
});

const LOG = `query($filter: ActivityLogFilter, $first: Int, $after: String) {
  activityLog(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id action entityType entityId correlationId occurredAt producer summary actor { id } } }
  }
}`;

type Entry = { id: string; action: string; entityType: string; entityId: string; correlationId: string; occurredAt: string; producer: string; summary: string; actor: { id: string } | null };
const entries = (res: { data?: Record<string, any> | null }) => (res.data!.activityLog.edges as { node: Entry }[]).map((e) => e.node);

/** Publishes one event of every type of the catalog, all caused by `actorId` in request `correlationId`. */
async function publishOneOfEach(correlationId: string, actorId: string | null) {
  const userId = uuid();
  const booking = bookingData({ userId, workspaceName: 'Huddle' });
  const payment = paymentData({ bookingId: booking.bookingId, userId });
  const workspace = workspaceData({ name: 'Huddle' });
  const meta = { correlationId, actorId };
  const published = [
    await h.publish('user.registered', { userId, email: 'ada@example.com', name: 'Ada Lovelace', roles: ['MEMBER'] }, meta),
    await h.publish('user.roles_changed', { userId, roles: ['MANAGER', 'MEMBER'] }, meta),
    await h.publish('location.created', { locationId: workspace.locationId, name: 'Atrium Opéra', city: 'Paris', timezone: 'Europe/Paris' }, meta),
    await h.publish('workspace.created', workspace, meta),
    await h.publish('workspace.updated', { ...workspace, capacity: 10 }, meta),
    await h.publish('workspace.archived', { ...workspace, active: false }, meta),
    await h.publish('booking.created', booking, meta),
    await h.publish('booking.confirmed', { ...booking, status: 'CONFIRMED' }, meta),
    await h.publish('booking.payment_failed', { ...booking, status: 'PAYMENT_FAILED', reason: 'card declined' }, meta),
    await h.publish('booking.expired', { ...booking, status: 'EXPIRED' }, meta),
    await h.publish('booking.cancelled', { ...booking, status: 'CANCELLED', reason: 'plans changed', wasPaid: true }, meta),
    await h.publish('booking.completed', { ...booking, status: 'COMPLETED' }, meta),
    await h.publish('payment.succeeded', payment, meta),
    await h.publish('payment.failed', { ...payment, status: 'FAILED', reason: 'insufficient funds', declined: true }, meta),
    await h.publish('payment.refunded', { ...payment, status: 'REFUNDED' }, meta),
  ];
  await h.settle(published);
  return { published, userId, booking, payment, workspace };
}

describe('the activity log', () => {
  it('lands every event type as one entry with its actor, entity, producer and correlation id', async () => {
    const correlationId = `req-${uuid()}`;
    const actorId = uuid();
    const { published, userId, booking, payment, workspace } = await publishOneOfEach(correlationId, actorId);
    const res = await h.gql(LOG, { filter: { correlationId }, first: 50 });
    expect(res.errors).toBeUndefined();
    expect(res.data!.activityLog.totalCount).toBe(15);
    const byAction = new Map(entries(res).map((e) => [e.action, e]));
    expect([...byAction.keys()].sort()).toEqual(published.map((e) => e.type).sort());
    for (const event of published) {
      expect(byAction.get(event.type)).toMatchObject({
        id: event.id,
        correlationId,
        producer: event.producer,
        actor: { id: actorId },
        occurredAt: new Date(event.occurredAt).toISOString(),
      });
    }
    const entity = (action: EventType) => [byAction.get(action)!.entityType, byAction.get(action)!.entityId];
    expect(entity('user.registered')).toEqual(['User', userId]);
    expect(entity('location.created')).toEqual(['Location', workspace.locationId]);
    expect(entity('workspace.archived')).toEqual(['Workspace', workspace.workspaceId]);
    expect(entity('booking.cancelled')).toEqual(['Booking', booking.bookingId]);
    expect(entity('payment.refunded')).toEqual(['Payment', payment.paymentId]);
    expect(byAction.get('user.registered')!.summary).toBe('User Ada Lovelace registered');
    expect(byAction.get('booking.confirmed')!.summary).toBe(`Booking ${booking.bookingId.slice(0, 8)}… confirmed`);
    expect(byAction.get('payment.succeeded')!.summary).toBe(`Payment of 30.00 EUR for booking ${booking.bookingId.slice(0, 8)}…`);
    // The audit trail keeps no e-mail address, not even in the stored payload.
    const [row] = await h.server.orm.em.fork().getConnection().execute(`select "data" from "activity_log" where "id" = ?`, [published[0].id]);
    expect(JSON.stringify(row.data)).not.toContain('ada@example.com');
  });

  it('shows system work (no actor) with a null actor', async () => {
    const correlationId = `job-${uuid()}`;
    const expired = await h.publish('booking.expired', bookingData({ status: 'EXPIRED' }), { correlationId, actorId: null });
    await h.settle([expired]);
    const res = await h.gql(LOG, { filter: { correlationId } });
    expect(entries(res)).toMatchObject([{ action: 'booking.expired', actor: null }]);
  });

  it('filters by correlation id, actor, entity type, entity id and action, combined', async () => {
    const [ann, bob] = [uuid(), uuid()];
    const [first, second] = [`req-${uuid()}`, `req-${uuid()}`];
    const booking = bookingData();
    // One second apart, so "newest first" has one answer.
    let t = Date.parse('2030-01-01T08:00:00Z');
    const meta = (actorId: string, correlationId: string) => ({ actorId, correlationId, occurredAt: new Date((t += 1000)).toISOString() });
    const published = [
      await h.publish('booking.created', booking, meta(ann, first)),
      await h.publish('payment.succeeded', paymentData({ bookingId: booking.bookingId }), meta(ann, first)),
      await h.publish('booking.confirmed', booking, meta(ann, first)),
      await h.publish('booking.cancelled', { ...booking, reason: null, wasPaid: true }, meta(bob, second)),
      await h.publish('workspace.created', workspaceData(), meta(bob, second)),
    ];
    await h.settle(published);
    const actions = async (filter: Record<string, unknown>) => entries(await h.gql(LOG, { filter, first: 100 })).map((e) => e.action);
    expect(await actions({ correlationId: first })).toEqual(['booking.confirmed', 'payment.succeeded', 'booking.created']);
    expect(await actions({ actorId: bob })).toEqual(['workspace.created', 'booking.cancelled']);
    expect(await actions({ actorId: ann, entityType: 'Booking' })).toEqual(['booking.confirmed', 'booking.created']);
    expect(await actions({ entityType: 'Booking', entityId: booking.bookingId })).toEqual(['booking.cancelled', 'booking.confirmed', 'booking.created']);
    expect(await actions({ actorId: bob, action: 'booking.cancelled' })).toEqual(['booking.cancelled']);
    expect(await actions({ correlationId: `req-${uuid()}` })).toEqual([]);
  });

  it('rejects malformed filters as BAD_USER_INPUT naming the field', async () => {
    const actor = await h.gql(LOG, { filter: { actorId: 'not-a-uuid' } });
    expect(actor.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.actorId' });
    const type = await h.gql(LOG, { filter: { entityType: 'Spaceship' } });
    expect(type.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.entityType' });
    const forged = await h.gql(LOG, { after: 'forged' });
    expect(forged.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const tooMany = await h.gql(LOG, { first: 101 });
    expect(tooMany.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('pages newest first with stable cursors and totalCount on every page', async () => {
    const correlationId = `req-${uuid()}`;
    const base = Date.parse('2030-06-01T12:00:00Z');
    const published = [];
    // Published out of time order, two of them at the same instant (ties break by id).
    for (const minutes of [3, 0, 6, 1, 5, 2, 4, 4]) {
      published.push(await h.publish('workspace.updated', workspaceData(), { correlationId, occurredAt: new Date(base + minutes * 60_000).toISOString() }));
    }
    await h.settle(published);
    const seen: Entry[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res: GraphQLResponse = await h.gql(LOG, { filter: { correlationId }, first: 3, after });
      expect(res.data!.activityLog.totalCount).toBe(8);
      seen.push(...entries(res));
      pages++;
      const { hasNextPage, endCursor } = res.data!.activityLog.pageInfo as { hasNextPage: boolean; endCursor: string | null };
      if (!hasNextPage) break;
      after = endCursor;
    }
    expect(pages).toBe(3);
    expect(new Set(seen.map((e) => e.id)).size).toBe(8);
    const times = seen.map((e) => Date.parse(e.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(times[0]).toBe(base + 6 * 60_000);
  });

  it('costs the same SQL for 50 entries with their actors as for 5', async () => {
    const correlationId = `req-${uuid()}`;
    const published = [];
    for (let i = 0; i < 60; i++) published.push(await h.publish('booking.confirmed', bookingData(), { correlationId, actorId: uuid() }));
    await h.settle(published);
    const statementsFor = async (first: number) => {
      const counter = countStatements(h.server.orm);
      const res = await h.gql(LOG, { filter: { correlationId }, first });
      counter.stop();
      expect(res.errors).toBeUndefined();
      expect(entries(res)).toHaveLength(first);
      expect(entries(res).every((e) => e.actor?.id)).toBe(true);
      return counter.count; // kit leaves out the relay's background polling
    };
    const five = await statementsFor(5);
    const fifty = await statementsFor(50);
    expect(fifty).toBe(five);
    expect(fifty).toBe(2); // the page, and its totalCount
  });

  it('resolves activity-log references for reports:read callers only', async () => {
    const event = await h.publish('location.created', { locationId: uuid(), name: 'Atrium Gare', city: 'Lyon', timezone: 'Europe/Paris' });
    await h.settle([event]);
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on ActivityLog { id action summary } } }`;
    const representations = [{ __typename: 'ActivityLog', id: event.id }];
    const res = await h.gql(query, { r: representations });
    expect(res.data!._entities).toEqual([{ id: event.id, action: 'location.created', summary: 'Location "Atrium Gare" created in Lyon' }]);
    expect(errorCodes(await h.gql(query, { r: representations }, h.tokens.member))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await h.gql(query, { r: representations }, null))).toEqual(['UNAUTHENTICATED']);
  });

  it('lets managers and admins read it, refuses members and anonymous callers', async () => {
    expect((await h.gql(LOG, {}, h.tokens.admin)).errors).toBeUndefined();
    const member = await h.gql(LOG, {}, h.tokens.member);
    expect(errorCodes(member)).toEqual(['FORBIDDEN']);
    expect(member.data).toEqual({ activityLog: null }); // nullable: a refusal nulls the field, not the response
    expect(errorCodes(await h.gql(LOG, {}, null))).toEqual(['UNAUTHENTICATED']);
  });
});
