import { countStatements, type BookingSnapshot } from '@atrium/kit/subgraph';
import { errorCodes, graphql, waitFor, type TestDatabase, type TestEvents, type TestIssuer } from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaptureServer } from '../../../scripts/lib/mail-catcher';
import { Notification, NotificationChannel, NotificationKind, NotificationStatus } from './notification/notification.entity';
import type { NotificationServer } from './server';
import { startNotification, type NotificationHarness } from './testing/harness';
import type { LogSmsProvider } from './sms/sms-provider';

jest.setTimeout(30_000);

let db: TestDatabase;
let issuer: TestIssuer;
let events: TestEvents;
let capture: CaptureServer;
let mailFolder: string;
let server: NotificationServer;
let url: string;

let harness: NotificationHarness;

beforeAll(async () => {
  harness = await startNotification('notification', { mail: { folder: (mailFolder = await mkdtemp(join(tmpdir(), 'atrium-mail-'))) } });
  ({ db, issuer, events, server, url } = harness);
  capture = harness.mail!;
});

afterAll(async () => {
  await harness?.close();
  if (mailFolder) await rm(mailFolder, { recursive: true, force: true });
});

interface Member {
  userId: string;
  email: string;
  name: string;
  token: string;
}

/** A user as identity would announce them: user.registered on the stream, plus a token. */
async function register(name: string): Promise<Member> {
  const userId = randomUUID();
  const email = `${name.toLowerCase()}-${userId.slice(0, 8)}@example.test`;
  await events.publish('user.registered', { userId, email, name, roles: ['MEMBER'] });
  return { userId, email, name, token: await issuer.token({ userId }) };
}

/** Registered, with the welcome e-mail delivered (so later e-mails are the only news). */
async function member(name: string): Promise<Member> {
  const m = await register(name);
  await capture.waitFor((mail) => mail.to.includes(m.email));
  return m;
}

const booking = (userId: string, overrides: Partial<BookingSnapshot> = {}): BookingSnapshot => ({
  bookingId: randomUUID(),
  userId,
  workspaceId: randomUUID(),
  workspaceName: 'Desk 1',
  startsAt: '2026-11-24T10:00:00.000Z',
  endsAt: '2026-11-24T12:00:00.000Z',
  price: { amount: 1250, currency: 'EUR' },
  status: 'CONFIRMED',
  ...overrides,
});

/** notification's own rows for a user (tests may read their subgraph's database). */
const rows = (where: Partial<Pick<Notification, 'userId' | 'eventId' | 'kind' | 'channel'>>) =>
  server.orm.em.fork().find(Notification, where, { orderBy: { createdAt: 'asc', channel: 'asc' } });

const mailTo = (email: string) => capture.messages.filter((m) => m.to.includes(email));

const USER_NOTIFICATIONS = `query($r: [_Any!]!, $first: Int, $after: String, $unreadOnly: Boolean, $channel: NotificationChannel) {
  _entities(representations: $r) {
    ... on User {
      id
      unreadNotificationCount
      notifications(first: $first, after: $after, unreadOnly: $unreadOnly, channel: $channel) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node { id kind channel status title body readAt createdAt } }
      }
    }
  }
}`;

/** User.notifications as the gateway asks for it: through `_entities`. */
const inbox = (userId: string, token: string | undefined, args: Record<string, unknown> = {}) =>
  graphql(url, USER_NOTIFICATIONS, { r: [{ __typename: 'User', id: userId }], ...args }, { token });

const PREFERENCES = `{ notificationPreferences { email sms inApp phone } }`;
const UPDATE_PREFERENCES = `mutation($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { email sms inApp phone }
}`;
const MARK_READ = `mutation($id: ID!) { markNotificationRead(id: $id) { id readAt } }`;

describe('notification subgraph', () => {
  it('welcomes a new user by e-mail (written to the mail folder too) and in the app', async () => {
    const alice = await register('Alice');
    const mail = await capture.waitFor((m) => m.to.includes(alice.email));
    expect(mail.subject).toBe('Welcome to Atrium, Alice');
    expect(mail.headers.from).toBe('Atrium <no-reply@atrium.local>');
    expect(mail.text).toMatch(/^Hello Alice,/);
    expect(mail.html).toContain('Welcome to Atrium, Alice');
    expect(mail.file).toBeDefined();
    expect((await readdir(mailFolder)).some((f) => f.endsWith(`-${alice.email}.eml`))).toBe(true);
    expect(await readFile(mail.file!, 'utf8')).toContain('Subject: Welcome to Atrium, Alice');

    const sent = await waitFor(async () => {
      const email = (await rows({ userId: alice.userId, channel: NotificationChannel.EMAIL }))[0];
      return email?.status === NotificationStatus.SENT && email;
    });
    expect(sent).toMatchObject({ kind: NotificationKind.WELCOME, address: alice.email, attempts: 1, failureReason: null });

    const res = await inbox(alice.userId, alice.token);
    expect(res.errors).toBeUndefined();
    const user = res.data!._entities[0];
    expect(user.unreadNotificationCount).toBe(1);
    expect(user.notifications.totalCount).toBe(1);
    expect(user.notifications.edges[0].node).toMatchObject({
      kind: 'WELCOME',
      channel: 'IN_APP',
      status: 'SENT',
      title: 'Welcome to Atrium, Alice',
      readAt: null,
    });
  });

  it('confirms a booking by e-mail with the workspace, the time and the price', async () => {
    const bob = await member('Bob');
    await events.publish('booking.confirmed', booking(bob.userId));
    const mail = await capture.waitFor((m) => m.to.includes(bob.email) && m.subject.startsWith('Booking confirmed'));
    expect(mail.subject).toBe('Booking confirmed: Desk 1, 24 Nov 2026 10:00–12:00 UTC');
    for (const body of [mail.text!, mail.html!]) {
      expect(body).toContain('Desk 1');
      expect(body).toContain('€12.50');
      expect(body).toContain('24 Nov 2026 10:00–12:00 UTC');
    }
    expect(mail.text).toMatch(/^Hello Bob,/);
  });

  it('notifies each kind of booking and payment event under its kind', async () => {
    const carol = await member('Carol');
    const b = booking(carol.userId);
    const payment = { paymentId: randomUUID(), bookingId: b.bookingId, userId: carol.userId, amount: b.price, last4: '4242', status: 'SUCCEEDED' };
    await events.publish('booking.payment_failed', { ...b, status: 'PAYMENT_FAILED', reason: 'card declined' });
    await events.publish('booking.expired', { ...b, status: 'EXPIRED' });
    await events.publish('payment.succeeded', payment);
    await events.publish('booking.cancelled', { ...b, status: 'CANCELLED', reason: 'plans changed', wasPaid: true });
    await events.publish('payment.refunded', { ...payment, status: 'REFUNDED' });
    const subjects = await waitFor(() => {
      const mails = mailTo(carol.email);
      return mails.length === 6 && mails.map((m) => m.subject).sort();
    });
    expect(subjects).toEqual([
      'Booking cancelled: Desk 1, 24 Nov 2026 10:00–12:00 UTC',
      'Booking expired: Desk 1, 24 Nov 2026 10:00–12:00 UTC',
      'Payment failed: Desk 1, 24 Nov 2026 10:00–12:00 UTC',
      'Payment received: €12.50',
      'Refund issued: €12.50',
      'Welcome to Atrium, Carol',
    ]);
    const kinds = (await rows({ userId: carol.userId, channel: NotificationChannel.IN_APP })).map((n) => n.kind).sort();
    expect(kinds).toEqual(['BOOKING_CANCELLED', 'BOOKING_EXPIRED', 'BOOKING_PAYMENT_FAILED', 'PAYMENT_RECEIVED', 'PAYMENT_REFUNDED', 'WELCOME']);
    expect(mailTo(carol.email).find((m) => m.subject.startsWith('Payment failed'))!.text).toContain('card declined');
  });

  it('follows preferences: with e-mail off, no e-mail is written or sent, the in-app notification still is', async () => {
    const dave = await member('Dave');
    expect((await graphql(url, PREFERENCES, {}, { token: dave.token })).data!.notificationPreferences).toEqual({
      email: true,
      sms: false,
      inApp: true,
      phone: null,
    });
    const updated = await graphql(url, UPDATE_PREFERENCES, { input: { email: false } }, { token: dave.token });
    expect(updated.data!.updateNotificationPreferences).toEqual({ email: false, sms: false, inApp: true, phone: null });

    const event = await events.publish('booking.confirmed', booking(dave.userId));
    // The in-app row is written in the same transaction an e-mail row would be: once it exists, the decision is made.
    await waitFor(async () => (await rows({ eventId: event.id })).length > 0);
    expect((await rows({ eventId: event.id })).map((n) => n.channel)).toEqual([NotificationChannel.IN_APP]);
    expect(mailTo(dave.email).map((m) => m.subject)).toEqual(['Welcome to Atrium, Dave']);
    expect((await graphql(url, PREFERENCES, {}, { token: dave.token })).data!.notificationPreferences.email).toBe(false);
  });

  it('fails an SMS at once without a phone number, and sends it through the provider once there is one', async () => {
    const erin = await member('Erin');
    await graphql(url, UPDATE_PREFERENCES, { input: { sms: true, email: false } }, { token: erin.token });
    const noPhone = await events.publish('booking.expired', booking(erin.userId, { status: 'EXPIRED' }));
    const failed = await waitFor(async () => (await rows({ eventId: noPhone.id, channel: NotificationChannel.SMS }))[0]);
    expect(failed).toMatchObject({ status: NotificationStatus.FAILED, failureReason: 'no phone number', attempts: 0 });

    const bad = await graphql(url, UPDATE_PREFERENCES, { input: { phone: '06 12' } }, { token: erin.token });
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.phone' });
    const withPhone = await graphql(url, UPDATE_PREFERENCES, { input: { phone: '+33 6 12-34-56 78' } }, { token: erin.token });
    expect(withPhone.data!.updateNotificationPreferences).toEqual({ email: false, sms: true, inApp: true, phone: '+33612345678' });

    const event = await events.publish('booking.confirmed', booking(erin.userId, { workspaceName: 'Room 7' }));
    const sent = await waitFor(async () => {
      const sms = (await rows({ eventId: event.id, channel: NotificationChannel.SMS }))[0];
      return sms?.status === NotificationStatus.SENT && sms;
    });
    expect(sent).toMatchObject({ address: '+33612345678', attempts: 1 });
    const texts = (server.sms as LogSmsProvider).sent.filter((s) => s.to === '+33612345678');
    expect(texts).toHaveLength(1);
    expect(texts[0].text).toContain('Room 7');
    expect(texts[0].text).toContain('€12.50');

    const cleared = await graphql(url, UPDATE_PREFERENCES, { input: { phone: null } }, { token: erin.token });
    expect(cleared.data!.updateNotificationPreferences.phone).toBeNull();
  });

  it('requires a signed-in caller for preferences and marking read', async () => {
    expect(errorCodes(await graphql(url, PREFERENCES))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await graphql(url, UPDATE_PREFERENCES, { input: { sms: true } }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await graphql(url, MARK_READ, { id: randomUUID() }))).toEqual(['UNAUTHENTICATED']);
  });

  it('lists, counts and marks read the caller’s own notifications, and nobody else’s', async () => {
    const frank = await member('Frank');
    const grace = await member('Grace');
    await events.publish('booking.confirmed', booking(frank.userId));
    await events.publish('booking.cancelled', { ...booking(frank.userId), status: 'CANCELLED', reason: null, wasPaid: false });
    await waitFor(async () => (await rows({ userId: frank.userId, channel: NotificationChannel.IN_APP })).length === 3);

    const before = (await inbox(frank.userId, frank.token)).data!._entities[0];
    expect(before.unreadNotificationCount).toBe(3);
    expect(before.notifications.edges.map((e: { node: { kind: string } }) => e.node.kind)).toEqual(['BOOKING_CANCELLED', 'BOOKING_CONFIRMED', 'WELCOME']);
    const target = before.notifications.edges[1].node.id;

    const marked = await graphql(url, MARK_READ, { id: target }, { token: frank.token });
    expect(marked.errors).toBeUndefined();
    const readAt = marked.data!.markNotificationRead.readAt;
    expect(readAt).not.toBeNull();
    // Marking again changes nothing: the first read time stays.
    expect((await graphql(url, MARK_READ, { id: target }, { token: frank.token })).data!.markNotificationRead.readAt).toBe(readAt);

    const after = (await inbox(frank.userId, frank.token, { unreadOnly: true })).data!._entities[0];
    expect(after.unreadNotificationCount).toBe(2);
    expect(after.notifications.totalCount).toBe(2);
    expect(after.notifications.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(target);

    // Another member: neither their list nor their notifications.
    const peek = await inbox(frank.userId, grace.token);
    expect(errorCodes(peek).length).toBeGreaterThan(0);
    expect(new Set(errorCodes(peek))).toEqual(new Set(['FORBIDDEN']));
    expect(peek.data?._entities[0] ?? null).toBeNull();
    expect(errorCodes(await graphql(url, MARK_READ, { id: before.notifications.edges[0].node.id }, { token: grace.token }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await inbox(frank.userId, undefined))).toContain('UNAUTHENTICATED');

    // An admin (users:read) may read them, but marking read stays the user's own.
    const admin = await issuer.token({ roles: ['ADMIN'] });
    expect((await inbox(frank.userId, admin)).data!._entities[0].unreadNotificationCount).toBe(2);
    expect(errorCodes(await graphql(url, MARK_READ, { id: before.notifications.edges[0].node.id }, { token: admin }))).toEqual(['FORBIDDEN']);

    const malformed = await graphql(url, MARK_READ, { id: '42' }, { token: frank.token });
    expect(malformed.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(errorCodes(await graphql(url, MARK_READ, { id: randomUUID() }, { token: frank.token }))).toEqual(['NOT_FOUND']);

    const all = await graphql(url, `mutation { markAllNotificationsRead }`, {}, { token: frank.token });
    expect(all.data!.markAllNotificationsRead).toBe(2);
    expect((await inbox(frank.userId, frank.token)).data!._entities[0].unreadNotificationCount).toBe(0);
  });

  it('lists the e-mail channel, or every channel, on request, and pages with first/after', async () => {
    const heidi = await member('Heidi');
    for (const name of ['Desk A', 'Desk B', 'Desk C']) await events.publish('booking.confirmed', booking(heidi.userId, { workspaceName: name }));
    await waitFor(async () => {
      const all = await rows({ userId: heidi.userId });
      return all.length === 8 && all.every((n) => n.status === NotificationStatus.SENT);
    });

    const emails = (await inbox(heidi.userId, heidi.token, { channel: 'EMAIL' })).data!._entities[0].notifications;
    expect(emails.totalCount).toBe(4);
    expect(emails.edges.every((e: { node: { channel: string; status: string } }) => e.node.channel === 'EMAIL' && e.node.status === 'SENT')).toBe(true);
    expect((await inbox(heidi.userId, heidi.token, { channel: null })).data!._entities[0].notifications.totalCount).toBe(8);

    const titles: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { title: string } }[] } = (
        await inbox(heidi.userId, heidi.token, { first: 3, after })
      ).data!._entities[0].notifications;
      expect(page.totalCount).toBe(4);
      titles.push(...page.edges.map((e) => e.node.title));
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(2);
    expect(titles).toHaveLength(4);
    expect(titles[3]).toBe('Welcome to Atrium, Heidi');
    expect(new Set(titles).size).toBe(4);

    const forged = await inbox(heidi.userId, heidi.token, { after: 'not-a-cursor' });
    expect(forged.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const tooMany = await inbox(heidi.userId, heidi.token, { first: 1000 });
    expect(tooMany.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('resolves many users’ notifications and unread counts in one statement each (no N+1)', async () => {
    const users = await Promise.all(['Ivan', 'Judy', 'Mallory'].map((n) => register(n)));
    // Quiet first: every welcome written and delivered, so only the query below touches the tables.
    await waitFor(async () => {
      const all = await server.orm.em.fork().find(Notification, { userId: { $in: users.map((u) => u.userId) } });
      return all.length === 6 && all.every((n) => n.status === NotificationStatus.SENT);
    });
    const admin = await issuer.token({ roles: ['ADMIN'] });
    const counter = countStatements(server.orm);
    const res = await graphql(url, USER_NOTIFICATIONS, { r: users.map((u) => ({ __typename: 'User', id: u.userId })) }, { token: admin });
    counter.stop();
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities.map((u: { unreadNotificationCount: number; notifications: { totalCount: number } }) => [u.unreadNotificationCount, u.notifications.totalCount])).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    // kit leaves out the relay's polling; the requeue sweep also runs on this ORM in the background.
    expect(counter.statements.filter((sql) => !/"status" = 'PENDING'/.test(sql))).toHaveLength(2); // one lateral page query, one grouped count
  });

  it('resolves a Notification reference for its owner only', async () => {
    const kim = await member('Kim');
    const [own] = await rows({ userId: kim.userId, channel: NotificationChannel.IN_APP });
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Notification { id title } } }`;
    const r = [{ __typename: 'Notification', id: own.id }];
    expect((await graphql(url, query, { r }, { token: kim.token })).data!._entities).toEqual([{ id: own.id, title: 'Welcome to Atrium, Kim' }]);
    expect((await graphql(url, query, { r }, { token: await issuer.token() })).data!._entities).toEqual([null]);
  });

  it('creates one notification and sends one e-mail for an event delivered twice', async () => {
    const leo = await member('Leo');
    const first = await events.publish('booking.confirmed', booking(leo.userId, { workspaceName: 'Twice' }));
    await events.publish('booking.confirmed', first.data, { id: first.id, correlationId: first.correlationId });
    // Events are handled in stream order: once a later one is delivered, the duplicate has been seen.
    await events.publish('payment.succeeded', {
      paymentId: randomUUID(),
      bookingId: first.data.bookingId,
      userId: leo.userId,
      amount: { amount: 1250, currency: 'EUR' },
      last4: '4242',
      status: 'SUCCEEDED',
    });
    await capture.waitFor((m) => m.to.includes(leo.email) && m.subject.startsWith('Payment received'));
    await waitFor(async () => (await rows({ eventId: first.id, channel: NotificationChannel.EMAIL }))[0]?.status === NotificationStatus.SENT);

    expect((await rows({ eventId: first.id })).map((n) => n.channel).sort()).toEqual(['EMAIL', 'IN_APP']);
    expect(mailTo(leo.email).filter((m) => m.subject.includes('Twice'))).toHaveLength(1);
    // The duplicate was skipped cleanly (acknowledged, not failing its way to the dead-letter stream).
    await waitFor(async () => ((await server.redis.xpending(events.env.EVENTS_STREAM, 'notification')) as [number])[0] === 0);
    expect(await events.dead()).toEqual([]);
  });
});

describe('service alerts', () => {
  it('tells every admin, and only admins, when a service goes down and when it is back', async () => {
    const alice = { id: randomUUID(), email: 'alice.admin@example.com' };
    const bob = { id: randomUUID(), email: 'bob.promoted@example.com' };
    const carol = { id: randomUUID(), email: 'carol.member@example.com' };
    await events.publish('user.registered', { userId: alice.id, email: alice.email, name: 'Alice', roles: ['ADMIN'] });
    await events.publish('user.registered', { userId: bob.id, email: bob.email, name: 'Bob', roles: ['MEMBER'] });
    await events.publish('user.registered', { userId: carol.id, email: carol.email, name: 'Carol', roles: ['MEMBER'] });
    await events.publish('user.roles_changed', { userId: bob.id, roles: ['ADMIN'] });
    await capture.waitFor((m) => m.to.includes(carol.email) && /Welcome/.test(m.subject), 15_000);

    await events.publish('service.status_changed', { service: 'catalog', status: 'UP', previous: null, latencyMs: 5, reason: null, incidentId: null });
    const incidentId = randomUUID();
    await events.publish('service.status_changed', { service: 'catalog', status: 'DOWN', previous: 'UP', latencyMs: null, reason: 'connection refused', incidentId });
    const down = await capture.waitFor((m) => m.to.includes(alice.email) && m.subject === 'Service down: catalog', 15_000);
    expect(down.text).toMatch(/connection refused/);
    await capture.waitFor((m) => m.to.includes(bob.email) && m.subject === 'Service down: catalog', 15_000);
    await events.publish('service.status_changed', { service: 'catalog', status: 'UP', previous: 'DOWN', latencyMs: 12, reason: null, incidentId });
    await capture.waitFor((m) => m.to.includes(alice.email) && m.subject === 'Service back up: catalog', 15_000);
    await capture.waitFor((m) => m.to.includes(bob.email) && m.subject === 'Service back up: catalog', 15_000);

    expect(capture.messages.filter((m) => m.to.includes(carol.email) && /Service/.test(m.subject))).toEqual([]);
    const inbox = await server.orm.em.fork().find(Notification, { userId: alice.id, channel: NotificationChannel.IN_APP }, { orderBy: { createdAt: 'asc' } });
    expect(inbox.map((n) => n.kind)).toEqual([NotificationKind.WELCOME, NotificationKind.SERVICE_DOWN, NotificationKind.SERVICE_UP]);
  });
});
