import type { Logger } from '@atrium/kit';

/** Where SMS go. A real provider (Twilio, Vonage…) implements this; Atrium ships only `LogSmsProvider`. */
export interface SmsProvider {
  /** Sends `text` to `to` (E.164); rejects on failure (the delivery job retries). */
  send(to: string, text: string): Promise<void>;
}

export interface SentSms {
  to: string;
  text: string;
  at: Date;
}

/** Keeps the last digits only, so logs do not collect phone numbers. */
export const maskPhone = (phone: string) => phone.replace(/\d(?=\d{3})/g, '•');

/**
 * The built-in provider: sends nothing, records each SMS in `sent` (the last 1000) and
 * logs it with the number masked. For development, tests and demos.
 */
export class LogSmsProvider implements SmsProvider {
  readonly sent: SentSms[] = [];

  constructor(private readonly log: Logger) {}

  async send(to: string, text: string): Promise<void> {
    this.sent.push({ to, text, at: new Date() });
    if (this.sent.length > 1000) this.sent.shift();
    this.log.info({ to: maskPhone(to), length: text.length }, 'SMS recorded by the log provider (not sent)');
  }
}
