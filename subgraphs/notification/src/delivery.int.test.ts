import { freePort, waitFor, type TestDatabase, type TestEvents } from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import { startCaptureServer, type CaptureServer } from '../../../scripts/lib/mail-catcher';
import { Notification, NotificationChannel, NotificationStatus } from './notification/notification.entity';
import type { NotificationServer } from './server';
import { startNotification, type NotificationHarness } from './testing/harness';

jest.setTimeout(60_000);

/** E-mail delivery against an SMTP server that is down, comes up, refuses, or never answers. */
let db: TestDatabase;
let events: TestEvents;
let server: NotificationServer;
let smtpPort: number;
let capture: CaptureServer | undefined;
const BACKOFF_MS = 300;

let harness: NotificationHarness;

beforeAll(async () => {
  smtpPort = await freePort(); // nothing listens there yet
  harness = await startNotification('notification_delivery', {
    mail: false,
    env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, SMTP_TIMEOUT_MS: '2000', DELIVERY_BACKOFF_MS: String(BACKOFF_MS) },
  });
  ({ db, events, server } = harness);
});

afterAll(async () => {
  await harness?.close();
  await capture?.close(); // the catcher this suite started on SMTP_URL's port
});

const emailRow = async (userId: string) =>
  (await server.orm.em.fork().find(Notification, { userId, channel: NotificationChannel.EMAIL }))[0] as Notification | undefined;

async function register(email: string) {
  const userId = randomUUID();
  await events.publish('user.registered', { userId, email, name: 'Retry Test', roles: ['MEMBER'] });
  return userId;
}

describe('e-mail delivery', () => {
  it('retries while the SMTP server is down and delivers exactly once when it comes up', async () => {
    const email = `down-${randomUUID().slice(0, 8)}@example.test`;
    const userId = await register(email);
    const failing = await waitFor(async () => {
      const row = await emailRow(userId);
      return row && row.attempts >= 1 && row;
    });
    expect(failing.status).toBe(NotificationStatus.PENDING);
    expect(failing.failureReason).toMatch(/ECONNREFUSED|connect/i);

    capture = await startCaptureServer({ port: smtpPort, reject: (address) => address.endsWith('@refused.test') });
    const mail = await capture.waitFor((m) => m.to.includes(email), 15_000);
    expect(mail.subject).toBe('Welcome to Atrium, Retry Test');
    const sent = await waitFor(async () => {
      const row = await emailRow(userId);
      return row?.status === NotificationStatus.SENT && row;
    });
    expect(sent.attempts).toBeGreaterThanOrEqual(2);
    expect(sent.failureReason).toBeNull();
    // Longer than the next backoff step: no second copy arrives.
    await new Promise((r) => setTimeout(r, BACKOFF_MS * 4));
    expect(capture.messages.filter((m) => m.to.includes(email))).toHaveLength(1);
  });

  it('fails at once, without retrying, when the server refuses the recipient for good', async () => {
    const userId = await register(`nobody-${randomUUID().slice(0, 8)}@refused.test`);
    const failed = await waitFor(async () => {
      const row = await emailRow(userId);
      return row?.status === NotificationStatus.FAILED && row;
    });
    expect(failed.attempts).toBe(1);
    expect(failed.failureReason).toMatch(/550|unavailable/i);
    await new Promise((r) => setTimeout(r, BACKOFF_MS * 3));
    expect((await emailRow(userId))!.attempts).toBe(1);
  });

  it('gives up after five attempts and marks the e-mail FAILED with the last error', async () => {
    await capture!.close();
    capture = undefined;
    const userId = await register(`never-${randomUUID().slice(0, 8)}@example.test`);
    // 300 + 600 + 1200 + 2400 ms of backoff between the five attempts.
    const failed = await waitFor(
      async () => {
        const row = await emailRow(userId);
        return row?.status === NotificationStatus.FAILED && row;
      },
      { timeoutMs: 30_000, what: 'the e-mail to fail for good' },
    );
    expect(failed.attempts).toBe(5);
    expect(failed.failureReason).toMatch(/ECONNREFUSED|connect/i);
  });
});
