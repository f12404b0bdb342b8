import { loadConfig } from '@atrium/kit';
import { createTestDatabase, createTestEvents, createTestIssuer, testLogger, type TestDatabase, type TestEvents, type TestIssuer } from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import { startCaptureServer, type CaptureServer } from '../../../../scripts/lib/mail-catcher';
import { notificationEnv } from '../config';
import { createServer, type NotificationServer } from '../server';

/** A started notification subgraph on a fresh database, its own event stream, pub/sub prefix and (unless told not to) mail catcher. */
export interface NotificationHarness {
  db: TestDatabase;
  events: TestEvents;
  issuer: TestIssuer;
  server: NotificationServer;
  /** Its GraphQL endpoint. */
  url: string;
  /** Where its e-mail goes; absent with `mail: false` (the suite points SMTP_URL elsewhere). */
  mail?: CaptureServer;
  close(): Promise<void>;
}

export interface NotificationHarnessOptions {
  /** More environment (e.g. DELIVERY_REQUEUE_MS), over the harness's. */
  env?: Record<string, string>;
  /** `false`: no mail catcher; otherwise one, writing `.eml` files into `folder` when given. */
  mail?: false | { folder?: string };
}

export async function startNotification(label: string, options: NotificationHarnessOptions = {}): Promise<NotificationHarness> {
  const db = await createTestDatabase(label);
  const events = createTestEvents(label);
  const issuer = await createTestIssuer();
  let mail: CaptureServer | undefined;
  let server: NotificationServer | undefined;
  const close = async () => {
    await server?.close();
    await mail?.close();
    await events.close();
    await db.drop();
  };
  try {
    mail = options.mail === false ? undefined : await startCaptureServer({ port: 0, ...options.mail });
    const config = loadConfig(notificationEnv, {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      PORT: '0',
      ...events.env,
      // Live events of this suite only: other suites' notifications must not reach its subscriptions.
      PUBSUB_PREFIX: `atrium-test-${label}-${randomUUID()}`,
      ...(mail ? { SMTP_URL: `smtp://127.0.0.1:${mail.port}` } : {}),
      DELIVERY_BACKOFF_MS: '100',
      ...options.env,
    });
    server = await createServer(config, { verifier: issuer.verifier, log: testLogger('notification') });
    return { db, events, issuer, server, url: `${server.url}/graphql`, mail, close };
  } catch (err) {
    await close();
    throw err;
  }
}
