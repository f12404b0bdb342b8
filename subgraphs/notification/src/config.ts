import { subgraphEnv, z } from '@atrium/kit';

/** notification's environment: the common subgraph variables plus mail and delivery (see .env.example). */
export const notificationEnv = {
  ...subgraphEnv(4005, 'atrium_notification'),
  /** The SMTP server e-mail goes through; dev and tests run the mail catcher (scripts/lib/mail-catcher.ts) here. */
  SMTP_URL: z.string().url().default('smtp://127.0.0.1:2525'),
  /** The From of every e-mail. */
  MAIL_FROM: z.string().min(1).default('Atrium <no-reply@atrium.local>'),
  /** Connection, greeting and socket timeout of one SMTP attempt (ms). */
  SMTP_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Base delay of the exponential backoff between delivery attempts (ms): 5 s, 10 s, 20 s, 40 s by default. */
  DELIVERY_BACKOFF_MS: z.coerce.number().int().positive().default(5_000),
  /**
   * Every this many ms (once per cluster), an e-mail or SMS still PENDING after as long
   * without a live delivery job gets one again (see delivery.ts `requeue`).
   */
  DELIVERY_REQUEUE_MS: z.coerce.number().int().positive().default(10_000),
};

export type NotificationConfig = z.infer<z.ZodObject<typeof notificationEnv>>;
