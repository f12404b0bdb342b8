import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';

export interface OutgoingMail {
  /**
   * What the message is, for good (a notification's id): its `Message-ID` is derived from
   * it, so sending it again — after a crash between sending and recording it — gives the
   * same Message-ID, and mail clients show one message.
   */
  key: string;
  to: string;
  subject: string;
  text: string;
  html?: string | null;
}

/**
 * `<key@domain-of-the-From>`: the Message-ID of the message `key` (RFC 5322: globally
 * unique, so under a domain of ours, as nodemailer's own random ones are).
 */
export function messageIdFor(key: string, from: string): string {
  const [sender] = addressparser(from, { flatten: true });
  const domain = sender?.address.split('@')[1] || 'atrium.local';
  return `<${key}@${domain}>`;
}

export interface Mailer {
  /** Sends one message; rejects with a `MailError` telling a permanent refusal from a transient failure. */
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

export interface MailerOptions {
  /** smtp://[user:pass@]host:port, or smtps:// for implicit TLS. */
  url: string;
  from: string;
  /** Connection, greeting and socket timeout (ms). */
  timeoutMs: number;
}

/** A failed send; `permanent` when the server refused the message for good (5xx), so retrying is pointless. */
export class MailError extends Error {
  override name = 'MailError';
  constructor(message: string, readonly permanent: boolean) {
    super(message);
  }
}

/**
 * E-mail over SMTP with nodemailer: a small connection pool (reconnecting by itself when
 * the server restarts) and short timeouts, so an unreachable server fails an attempt in
 * seconds and the delivery job retries it with backoff.
 */
export function createMailer(options: MailerOptions): Mailer {
  const transport = nodemailer.createTransport(
    {
      url: options.url,
      pool: true,
      maxConnections: 3,
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs * 3,
    },
    { from: options.from },
  );
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({
          messageId: messageIdFor(mail.key, options.from),
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html ?? undefined,
        });
        return { messageId: info.messageId };
      } catch (err) {
        const e = err as { message?: string; permanent?: boolean; code?: string; responseCode?: number };
        // EENVELOPE without a reply code: nodemailer itself found no valid recipient.
        const permanent = e.permanent === true || (e.code === 'EENVELOPE' && e.responseCode === undefined);
        throw new MailError(e.message ?? String(err), permanent);
      }
    },
    close: () => transport.close(),
  };
}
