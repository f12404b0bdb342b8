import { waitFor, type TestDatabase, type TestEvents } from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import type { CaptureServer } from '../../../scripts/lib/mail-catcher';
import { DELIVER_QUEUE } from './notification/delivery';
import { Notification, NotificationChannel, NotificationKind, NotificationStatus } from './notification/notification.entity';
import type { NotificationServer } from './server';
import { startNotification, type NotificationHarness } from './testing/harness';

/**
 * An e-mail not yet SENT is always delivered in the end, even when its delivery job
 * already finished under the same job id (BullMQ drops a job whose id it still holds); and
 * every e-mail carries a Message-ID derived from its notification, so a resend after a
 * crash is the same message to mail clients.
 */
jest.setTimeout(60_000);

let db: TestDatabase;
let events: TestEvents;
let capture: CaptureServer;
let server: NotificationServer;

let harness: NotificationHarness;

beforeAll(async () => {
  harness = await startNotification('notification_redelivery', { env: { DELIVERY_REQUEUE_MS: '300' } });
  ({ db, events, server } = harness);
  capture = harness.mail!;
});

afterAll(async () => {
  await harness?.close();
});

/** A registered user (their welcome e-mail delivered): notification knows their address. */
async function registered() {
  const userId = randomUUID();
  const email = `redeliver-${userId.slice(0, 8)}@example.test`;
  await events.publish('user.registered', { userId, email, name: 'Rita', roles: ['MEMBER'] });
  await capture.waitFor((m) => m.to.includes(email));
  const welcome = await waitFor(async () => {
    const row = await server.orm.em.fork().findOne(Notification, { userId, channel: NotificationChannel.EMAIL });
    return row?.status === NotificationStatus.SENT && row;
  });
  return { userId, email, welcome };
}

const mailsTo = (email: string) => capture.messages.filter((m) => m.to.includes(email));
const deliverJobState = (id: string) => server.jobs.queue(DELIVER_QUEUE).getJobState(`deliver.${id}`);
const statusOf = async (id: string) => (await server.orm.em.fork().findOneOrFail(Notification, id)).status;

describe('delivering what is not SENT yet', () => {
  it('sends again an e-mail whose delivery job completed while its row stayed PENDING, with the same Message-ID', async () => {
    const { email, welcome } = await registered();
    await waitFor(async () => (await deliverJobState(welcome.id)) === 'completed', { what: 'the delivery job to complete' });
    // The row says it was never sent (a crash before recording it, a stalled job): the job id is taken.
    await server.orm.em.fork().nativeUpdate(Notification, { id: welcome.id }, { status: NotificationStatus.PENDING, sentAt: null });

    await waitFor(() => mailsTo(email).length === 2, { timeoutMs: 15_000, what: 'the e-mail to be sent again' });
    await waitFor(async () => (await statusOf(welcome.id)) === NotificationStatus.SENT, { what: 'SENT' });
    const [first, again] = mailsTo(email);
    expect(first.headers['message-id']).toBe(`<${welcome.id}@atrium.local>`);
    expect(again.headers['message-id']).toBe(first.headers['message-id']);
    expect(again.subject).toBe(first.subject);
  });

  it('delivers a PENDING e-mail whose delivery job had failed for good', async () => {
    const { userId, email } = await registered();
    const id = randomUUID();
    // Its job ran before the row existed, once, and failed: the id is held in the failed set.
    await server.jobs.add(DELIVER_QUEUE, { notificationId: id }, { jobId: `deliver:${id}`, attempts: 1 });
    await waitFor(async () => (await deliverJobState(id)) === 'failed', { what: 'the first job to fail' });

    const em = server.orm.em.fork();
    em.create(Notification, {
      id,
      userId,
      kind: NotificationKind.BOOKING_CONFIRMED,
      channel: NotificationChannel.EMAIL,
      status: NotificationStatus.PENDING,
      eventId: randomUUID(),
      title: 'Booking confirmed: Desk R2',
      body: 'Your booking of Desk R2 is confirmed.',
    });
    await em.flush();

    const mail = await capture.waitFor((m) => m.to.includes(email) && m.subject === 'Booking confirmed: Desk R2', 15_000);
    expect(mail.headers['message-id']).toBe(`<${id}@atrium.local>`);
    await waitFor(async () => (await statusOf(id)) === NotificationStatus.SENT, { what: 'SENT' });
    expect(mailsTo(email).filter((m) => m.subject === 'Booking confirmed: Desk R2')).toHaveLength(1);
  });
});
