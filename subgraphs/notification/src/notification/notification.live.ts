import { topic, type LiveStream } from '@atrium/kit';
import { liveEntity, type Context } from '@atrium/kit/subgraph';
import { Notification, type NotificationChannel, type NotificationKind, type NotificationStatus } from './notification.entity';

/** A notification as stored: everything its GraphQL fields need, as JSON (no e-mail HTML). */
export interface NotificationState {
  id: string;
  userId: string;
  kind: NotificationKind;
  channel: NotificationChannel;
  status: NotificationStatus;
  title: string;
  body: string;
  attempts: number;
  failureReason: string | null;
  readAt: string | null;
  sentAt: string | null;
  createdAt: string;
}

/** Every notification stored, once committed: `notificationReceived`'s events. */
export const NOTIFICATION_RECEIVED = topic<NotificationState>('notification.received');

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const date = (s: string | null) => (s ? new Date(s) : null);

export function notificationState(n: Notification): NotificationState {
  return {
    id: n.id,
    userId: n.userId,
    kind: n.kind,
    channel: n.channel,
    status: n.status,
    title: n.title,
    body: n.body,
    attempts: n.attempts,
    failureReason: n.failureReason,
    readAt: iso(n.readAt),
    sentAt: iso(n.sentAt),
    createdAt: n.createdAt.toISOString(),
  };
}

/** The Notification of one event, rebuilt from its state, so its fields resolve as in queries. */
export function notificationFromState(s: NotificationState): Notification {
  return Object.assign(new Notification(), { ...s, readAt: date(s.readAt), sentAt: date(s.sentAt), createdAt: new Date(s.createdAt) });
}

/**
 * Notifications are only ever created by the event handlers (notifier.ts), inside the
 * transaction that marks their event processed: each is announced once that commits — so a
 * handler that fails, and is retried, announces nothing twice.
 */
export const notificationsReceived = liveEntity({
  entity: Notification,
  topic: NOTIFICATION_RECEIVED,
  publishes: (change) => change.type === 'create',
  payload: notificationState,
});

/** `notificationReceived`'s events: the caller's own notifications, whatever their roles. Resolves once listening. */
export async function notificationsFor(ctx: Context): Promise<LiveStream<NotificationState>> {
  const userId = ctx.caller?.userId;
  const stream = ctx.pubSub.subscribe(NOTIFICATION_RECEIVED, (n) => n.userId === userId);
  await stream.ready;
  return stream;
}
