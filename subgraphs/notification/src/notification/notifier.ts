import type { EventEnvelope, HandlerContext } from '@atrium/kit/subgraph';
import { PreferencesService } from '../preferences/preferences.service';
import type { Content } from './content';
import { DELIVER_QUEUE, deliveryJobOptions } from './delivery';
import { Notification, NotificationChannel, NotificationStatus } from './notification.entity';

/**
 * Writes the notifications `content` makes for `userId` on the channels they chose:
 * IN_APP at once (SENT), EMAIL and SMS as PENDING rows delivered by a job each. A
 * handler's jobs start only once its transaction commits (kit holds them back), so a job
 * never looks for a row not committed yet; one lost between commit and enqueue is picked
 * up by the requeue sweep. An SMS with no phone number to go to is FAILED from the start.
 */
export async function notify(ctx: HandlerContext, event: EventEnvelope, userId: string, content: Content, backoffMs: number): Promise<void> {
  const { em } = ctx;
  const preferences = await new PreferencesService(em).get(userId);
  const base = { userId, kind: content.kind, eventId: event.id, title: content.title };
  const created: Notification[] = [];
  if (preferences.inApp) {
    created.push(em.create(Notification, { ...base, channel: NotificationChannel.IN_APP, status: NotificationStatus.SENT, body: content.summary, sentAt: new Date() }));
  }
  if (preferences.email) {
    created.push(em.create(Notification, { ...base, channel: NotificationChannel.EMAIL, status: NotificationStatus.PENDING, body: content.text, html: content.html }));
  }
  if (preferences.sms) {
    const sms = { ...base, channel: NotificationChannel.SMS, body: `Atrium: ${content.summary}` };
    created.push(
      em.create(
        Notification,
        preferences.phone
          ? { ...sms, status: NotificationStatus.PENDING }
          : { ...sms, status: NotificationStatus.FAILED, failureReason: 'no phone number' },
      ),
    );
  }
  for (const n of created) {
    if (n.status === NotificationStatus.PENDING) await ctx.jobs.add(DELIVER_QUEUE, { notificationId: n.id }, deliveryJobOptions(n.id, backoffMs));
  }
  ctx.log.info({ userId, kind: content.kind, channels: created.map((n) => `${n.channel}:${n.status}`) }, 'notifications created');
}
