import type { EntityManager, Job, JobContext, Jobs } from '@atrium/kit/subgraph';
import { LockMode } from '@mikro-orm/core';
import type { Mailer } from '../mail/mailer';
import { MailError } from '../mail/mailer';
import { NotificationPreferences } from '../preferences/preferences.entity';
import { Recipient } from '../recipient/recipient.entity';
import type { SmsProvider } from '../sms/sms-provider';
import { Notification, NotificationChannel, NotificationStatus } from './notification.entity';

/** The queue EMAIL and SMS notifications are delivered through (BullMQ queue `notification-deliver`). */
export const DELIVER_QUEUE = 'deliver';
/** The repeatable job that re-enqueues deliveries whose job was lost (see `requeue`). */
export const REQUEUE_QUEUE = 'requeue-deliveries';
export const DELIVERY_ATTEMPTS = 5;

export interface DeliverJob {
  notificationId: string;
}

/** One live delivery job per notification: the id makes enqueuing idempotent. */
export const deliveryJobOptions = (notificationId: string, backoffMs: number): Parameters<Jobs['ensure']>[2] => ({
  jobId: `deliver:${notificationId}`,
  attempts: DELIVERY_ATTEMPTS,
  backoff: { type: 'exponential', delay: backoffMs },
});

/** A failure retrying cannot fix. BullMQ recognises the name and stops retrying. */
class PermanentDeliveryError extends Error {
  override name = 'UnrecoverableError';
}

export interface DeliveryOptions {
  mailer: Mailer;
  sms: SmsProvider;
  backoffMs: number;
  /** How often `requeue` runs, and how long a PENDING row may go without a live job (ms). */
  requeueMs: number;
}

/**
 * The job processors that deliver EMAIL and SMS notifications. Event handlers only write
 * PENDING rows; these send, so external side effects happen once per notification and
 * are retried with backoff when the SMTP server or SMS provider is down.
 */
export function createDelivery({ mailer, sms, backoffMs, requeueMs }: DeliveryOptions) {
  /** Sends `n` on its channel; returns the address it went to. */
  async function send(em: EntityManager, n: Notification): Promise<string> {
    if (n.channel === NotificationChannel.EMAIL) {
      const recipient = await em.findOne(Recipient, { id: n.userId });
      // Retried: user.registered may still be on its way.
      if (!recipient) throw new Error('no e-mail address known for this user');
      try {
        await mailer.send({ key: n.id, to: recipient.email, subject: n.title, text: n.body, html: n.html });
      } catch (err) {
        if (err instanceof MailError && err.permanent) throw new PermanentDeliveryError(err.message);
        throw err;
      }
      return recipient.email;
    }
    if (n.channel === NotificationChannel.SMS) {
      const preferences = await em.findOne(NotificationPreferences, { userId: n.userId });
      if (!preferences?.phone) throw new PermanentDeliveryError('no phone number');
      await sms.send(preferences.phone, n.body);
      return preferences.phone;
    }
    throw new PermanentDeliveryError(`nothing to deliver on ${n.channel}`);
  }

  return {
    /**
     * Delivers one notification, idempotently: under a row lock it checks the row is still
     * PENDING, sends, and marks it SENT in the same transaction — a second run (a retry
     * after a crash, a re-enqueue) finds it SENT and does nothing. A failure is recorded on
     * the row (attempts, reason) and rethrown for BullMQ to retry; the last attempt, or a
     * permanent refusal, marks it FAILED.
     */
    async deliver(job: Job<DeliverJob>, { orm, log }: JobContext): Promise<string> {
      const { notificationId } = job.data;
      try {
        const outcome = await orm.em.fork().transactional(async (em) => {
          const n = await em.findOne(Notification, { id: notificationId }, { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['html'] });
          if (!n) throw new Error(`notification ${notificationId} not found`);
          if (n.status !== NotificationStatus.PENDING) return `already ${n.status}`;
          n.address = await send(em, n);
          n.attempts += 1;
          n.status = NotificationStatus.SENT;
          n.sentAt = new Date();
          n.failureReason = null;
          return 'sent';
        });
        log.info({ notificationId, outcome }, 'notification delivery');
        return outcome;
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        const last = err instanceof PermanentDeliveryError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        // Outside the rolled-back transaction: the attempt counts, and the row says why.
        await orm.em
          .fork()
          .execute(
            `update "notification" set "attempts" = "attempts" + 1, "failure_reason" = ?, "status" = case when ? then 'FAILED'::notification_status else "status" end
             where "id" = ? and "status" = 'PENDING'`,
            [reason.slice(0, 500), last, notificationId],
          )
          .catch((e: unknown) => log.error({ err: e, notificationId }, 'could not record a failed delivery'));
        log.warn({ notificationId, reason, attempt: job.attemptsMade + 1, final: last }, 'notification delivery failed');
        throw err;
      }
    },

    /**
     * Every `requeueMs`: a notification not yet SENT is always delivered in the end. A
     * PENDING row older than that gets a live delivery job again when it has none: its job
     * went missing (the process stopped between commit and enqueue, Redis lost its data),
     * or finished while the row stayed PENDING (a stalled job failed for good, its outcome
     * could not be recorded). A finished job is removed first: BullMQ silently drops a job
     * whose id it still holds. A job waiting, or backing off for a retry, is left alone.
     */
    async requeue(_job: Job, { orm, jobs, log }: JobContext): Promise<number> {
      const stale = await orm.em.fork().find(
        Notification,
        { status: NotificationStatus.PENDING, createdAt: { $lt: new Date(Date.now() - requeueMs) } },
        { fields: ['id'], orderBy: { createdAt: 'asc' }, limit: 500 },
      );
      let queued = 0;
      for (const n of stale) if (await jobs.ensure(DELIVER_QUEUE, { notificationId: n.id }, deliveryJobOptions(n.id, backoffMs))) queued++;
      if (queued) log.info({ count: queued }, 'pending deliveries re-enqueued');
      return queued;
    },
  };
}
