import { type Role } from '@atrium/kit';
import { type BookingSnapshot } from '@atrium/kit/subgraph';
import { createTestIssuer, graphql, subscribe, waitFor, waitForOpenSubscriptions, type TestDatabase, type TestEvents, type TestIssuer, type TestSubscription } from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import type { CaptureServer } from '../../../../scripts/lib/mail-catcher';
import { Recipient } from '../recipient/recipient.entity';
import type { NotificationServer } from '../server';
import { startNotification, type NotificationHarness } from '../testing/harness';
import { Notification, NotificationChannel, NotificationKind, NotificationStatus } from './notification.entity';

const RECEIVED = `subscription { notificationReceived { id kind channel status title body readAt sentAt createdAt user { id } } }`;
const INBOX = `query($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) {
  ... on User { notifications(first: 20) { edges { node { id kind channel status title body readAt sentAt createdAt user { id } } } } }
} }`;

let db: TestDatabase;
let issuer: TestIssuer;
let events: TestEvents;
let capture: CaptureServer;
let server: NotificationServer;
let url: string;
let open: TestSubscription[] = [];

let harness: NotificationHarness;

beforeAll(async () => {
  harness = await startNotification('notification_subscription');
  ({ db, issuer, events, server, url } = harness);
  capture = harness.mail!;
});

afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
  await waitForOpenSubscriptions(server.metrics, 0);
});

afterAll(async () => {
  await harness?.close();
});

interface User {
  userId: string;
  token: string;
}

/** A user as identity announces them, once notification knows them (so the welcome is past news). */
async function user(roles: Role[] = ['MEMBER']): Promise<User> {
  const userId = randomUUID();
  await events.publish('user.registered', { userId, email: `${userId}@example.test`, name: 'Sam', roles });
  await waitFor(() => server.orm.em.fork().findOne(Recipient, { id: userId }), { what: 'the recipient' });
  await waitFor(async () => (await server.orm.em.fork().count(Notification, { userId })) > 0, { what: 'the welcome' });
  return { userId, token: await issuer.token({ userId, roles }) };
}

/** notificationReceived for `who`, once the subgraph is listening. */
async function live(who: User | null): Promise<TestSubscription> {
  const sub = subscribe(url, RECEIVED, {}, who ? { token: who.token } : {});
  open.push(sub);
  await waitForOpenSubscriptions(server.metrics, open.length);
  return sub;
}

const confirmed = (userId: string): BookingSnapshot => ({
  bookingId: randomUUID(),
  userId,
  workspaceId: randomUUID(),
  workspaceName: 'Desk 7',
  startsAt: '2026-11-24T10:00:00.000Z',
  endsAt: '2026-11-24T12:00:00.000Z',
  price: { amount: 1250, currency: 'EUR' },
  status: 'CONFIRMED',
});

/** Waits until `witness` has its event `index` (published after what must not arrive elsewhere), then a moment more for stragglers. */
async function settledAfter(witness: TestSubscription, index: number): Promise<void> {
  await witness.next(index);
  await new Promise((r) => setTimeout(r, 200));
}

describe('notificationReceived', () => {
  it('delivers each notification stored for the caller, once committed, as the inbox shows it', async () => {
    const alice = await user();
    const sub = await live(alice);
    await events.publish('booking.confirmed', confirmed(alice.userId));
    await sub.next(1);
    const received = sub.results.map((r) => r.data!.notificationReceived);
    expect(received.map((n) => [n.kind, n.channel, n.status])).toEqual([
      [NotificationKind.BOOKING_CONFIRMED, NotificationChannel.IN_APP, NotificationStatus.SENT],
      [NotificationKind.BOOKING_CONFIRMED, NotificationChannel.EMAIL, NotificationStatus.PENDING],
    ]);
    const inbox = await graphql(url, INBOX, { id: alice.userId }, { token: alice.token });
    const stored = (inbox.data!._entities[0].notifications.edges as { node: { id: string } }[]).map((e) => e.node);
    expect(stored).toEqual(expect.arrayContaining([{ ...received[0] }]));
    expect(received[0]).toMatchObject({ user: { id: alice.userId }, readAt: null, title: expect.stringContaining('Desk 7') });
  });

  it("gives every caller, admins included, their own notifications only", async () => {
    const alice = await user();
    const bob = await user();
    const admin = await user(['ADMIN']);
    const toAlice = await live(alice);
    const toBob = await live(bob);
    const toAdmin = await live(admin);
    await events.publish('booking.confirmed', confirmed(alice.userId));
    await toAlice.next(1);
    // Service alerts go to admins only: the admin's next notifications, and nobody else's.
    await events.publish('service.status_changed', { service: 'catalog', status: 'DOWN', previous: 'UP', latencyMs: null, reason: 'connection refused', incidentId: null });
    expect((await toAdmin.next(0)).data!.notificationReceived).toMatchObject({ kind: NotificationKind.SERVICE_DOWN, user: { id: admin.userId } });
    await events.publish('booking.confirmed', confirmed(bob.userId));
    await settledAfter(toBob, 1);
    expect(toBob.results.map((r) => r.data!.notificationReceived.user.id)).toEqual([bob.userId, bob.userId]);
    expect(toAlice.results.map((r) => r.data!.notificationReceived.user.id)).toEqual([alice.userId, alice.userId]);
    expect(toAdmin.results.map((r) => r.data!.notificationReceived.kind)).toEqual([NotificationKind.SERVICE_DOWN, NotificationKind.SERVICE_DOWN]);
  });

  it('publishes nothing for a notification whose transaction rolls back', async () => {
    const alice = await user();
    const sub = await live(alice);
    await expect(
      server.orm.em.fork().transactional(async (em) => {
        em.create(Notification, {
          userId: alice.userId,
          kind: NotificationKind.PAYMENT_RECEIVED,
          channel: NotificationChannel.IN_APP,
          status: NotificationStatus.SENT,
          title: 'never stored',
          body: 'rolled back',
          eventId: randomUUID(),
        });
        await em.flush();
        throw new Error('the handler failed after storing it');
      }),
    ).rejects.toThrow('handler failed');
    await events.publish('booking.confirmed', confirmed(alice.userId));
    expect((await sub.next(0)).data!.notificationReceived.kind).toBe(NotificationKind.BOOKING_CONFIRMED);
    expect(sub.results.map((r) => r.data!.notificationReceived.title)).not.toContain('never stored');
  });

  it('refuses a bad token with UNAUTHENTICATED, and an anonymous caller too', async () => {
    const stranger = await createTestIssuer();
    const forged = subscribe(url, RECEIVED, {}, { token: await stranger.token() });
    const anonymous = subscribe(url, RECEIVED, {});
    open.push(forged, anonymous);
    expect(await forged.ended).toEqual({ completed: false, error: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }] });
    expect((await anonymous.next(0)).errors).toEqual([expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })]);
  });
});
