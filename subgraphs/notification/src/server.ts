import { createLogger } from '@atrium/kit';
import { createSubgraph, type Subgraph, type SubgraphOptions } from '@atrium/kit/subgraph';
import type { NotificationConfig } from './config';
import { notificationContext } from './context';
import { entities } from './entities';
import { eventHandlers } from './events/handlers';
import { createMailer } from './mail/mailer';
import { migrations } from './migrations';
import { createDelivery, DELIVER_QUEUE, REQUEUE_QUEUE } from './notification/delivery';
import { notificationsReceived } from './notification/notification.live';
import { buildSchema } from './schema';
import { LogSmsProvider, type SmsProvider } from './sms/sms-provider';

export interface NotificationServer extends Subgraph {
  /** Where SMS go (the log provider unless one was given): tests read what was sent. */
  sms: SmsProvider;
}

export interface NotificationServerOptions extends Pick<SubgraphOptions, 'plugins' | 'observe' | 'log' | 'verifier'> {
  sms?: SmsProvider;
}

/**
 * Builds and starts the notification subgraph: consumes the domain events it speaks
 * about, writes notifications per the user's preferences, and delivers e-mail (SMTP) and
 * SMS through retried BullMQ jobs.
 */
export async function createServer(config: NotificationConfig, extra: NotificationServerOptions = {}): Promise<NotificationServer> {
  const log = extra.log ?? createLogger({ name: 'notification', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const sms = extra.sms ?? new LogSmsProvider(log.child({ component: 'sms' }));
  const mailer = createMailer({ url: config.SMTP_URL, from: config.MAIL_FROM, timeoutMs: config.SMTP_TIMEOUT_MS });
  const delivery = createDelivery({ mailer, sms, backoffMs: config.DELIVERY_BACKOFF_MS, requeueMs: config.DELIVERY_REQUEUE_MS });
  const subgraph = await createSubgraph({
    name: 'notification',
    config,
    schema: await buildSchema(),
    entities,
    migrations,
    log,
    plugins: extra.plugins,
    observe: extra.observe,
    verifier: extra.verifier,
    events: { handlers: eventHandlers({ backoffMs: config.DELIVERY_BACKOFF_MS }) },
    jobs: { [DELIVER_QUEUE]: delivery.deliver, [REQUEUE_QUEUE]: delivery.requeue },
    schedules: [{ name: REQUEUE_QUEUE, every: config.DELIVERY_REQUEUE_MS }],
    live: [notificationsReceived],
    context: notificationContext,
    // Closed after everything that may still send (the consumer, the delivery jobs).
    onClose: () => mailer.close(),
  });
  return Object.assign(subgraph, { sms });
}
